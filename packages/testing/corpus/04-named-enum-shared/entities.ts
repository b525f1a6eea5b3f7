import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum Currency {
  Eur = 'EUR',
  Usd = 'USD',
}

@Entity()
export class Price {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'enum', enum: Currency, enumName: 'currency_code', default: Currency.Eur }) currency!: Currency;
}

@Entity()
export class Invoice {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'enum', enum: Currency, enumName: 'currency_code' }) currency!: Currency;
}

export const entities = [Price, Invoice];
