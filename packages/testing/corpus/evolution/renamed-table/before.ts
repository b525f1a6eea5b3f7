import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('customer')
export class Customer {
  @PrimaryGeneratedColumn() id!: number;
  @Index({ unique: true }) @Column() email!: string;
  @Column({ type: 'enum', enum: ['active', 'closed'], default: 'active' }) status!: string;
}

export const entities = [Customer];
