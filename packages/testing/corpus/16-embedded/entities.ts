import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export class Address {
  @Column() street!: string;
  @Column({ type: 'varchar', nullable: true }) city!: string | null;
  @Column({ length: 2, default: 'FR' }) country!: string;
}

export class Money {
  @Column('numeric', { precision: 12, scale: 2, default: 0 }) amount!: string;
  @Column({ length: 3 }) currency!: string;
}

@Entity()
export class Shop {
  @PrimaryGeneratedColumn() id!: number;
  @Column(() => Address) address!: Address;
  @Column(() => Address, { prefix: 'billing' }) billingAddress!: Address;
  @Column(() => Money, { prefix: false }) revenue!: Money;
}

export const entities = [Shop];
