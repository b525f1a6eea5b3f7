import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('account')
export class Account {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
}

export const entities = [Account];
