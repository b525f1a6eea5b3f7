import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('account')
export class Account {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @Index({ unique: true }) @Column({ type: 'varchar', length: 20, nullable: true }) legacyCode!: string | null;
  @Column({ type: 'enum', enum: ['free', 'paid'], default: 'free' }) tier!: string;
}

export const entities = [Account];
