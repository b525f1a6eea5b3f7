import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
@Index('IDX_order_open', ['customerId'], { where: '"closedAt" IS NULL' })
@Index(['reference'], { unique: true, where: `"status" <> 'cancelled'` })
export class PurchaseOrder {
  @PrimaryGeneratedColumn() id!: number;
  @Column() customerId!: number;
  @Column() reference!: string;
  @Column({ default: 'open' }) status!: string;
  @Column({ type: 'timestamp', nullable: true }) closedAt!: Date | null;
}

export const entities = [PurchaseOrder];
