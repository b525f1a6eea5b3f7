import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('invoice')
export class Invoice {
  @PrimaryGeneratedColumn() id!: number;
  @Column('numeric', { precision: 10, scale: 2 }) total!: string;
}

export const entities = [Invoice];
