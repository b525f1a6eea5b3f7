import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
export class Customer {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @Column({ type: 'varchar', length: 120, nullable: true }) email!: string | null;
  @Column('text') notes!: string;
  @Column('int') age!: number;
  @Column('boolean') active!: boolean;
  @Column('smallint', { nullable: true }) rank!: number | null;
}

export const entities = [Customer];
