import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('client')
export class Client {
  @PrimaryGeneratedColumn() id!: number;
  @Index({ unique: true }) @Column() email!: string;
  @Column({ type: 'enum', enum: ['active', 'closed'], default: 'active' }) status!: string;
}

export const entities = [Client];
