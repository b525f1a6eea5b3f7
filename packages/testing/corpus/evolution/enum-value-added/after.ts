import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('ticket')
export class Ticket {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'enum', enum: ['open', 'closed', 'archived'], default: 'open' }) status!: string;
  @Column({ type: 'enum', enum: ['open', 'closed', 'archived', 'deleted'], enumName: 'ticket_state', array: true, default: '{}' }) history!: string[];
}

export const entities = [Ticket];
