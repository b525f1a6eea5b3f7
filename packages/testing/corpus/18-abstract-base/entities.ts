import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export abstract class Audited {
  @PrimaryGeneratedColumn() id!: number;
  @CreateDateColumn() createdAt!: Date;
  @UpdateDateColumn() updatedAt!: Date;
}

@Entity()
export class Supplier extends Audited {
  @Column() name!: string;
}

@Entity()
export class Warehouse extends Audited {
  @Column() code!: string;
}

export const entities = [Supplier, Warehouse];
