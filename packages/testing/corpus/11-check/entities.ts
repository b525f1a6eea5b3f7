import { Check, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
@Check(`"quantity" >= 0`)
@Check('CHK_product_price', `"price" > 0 AND "price" < 100000`)
export class Product {
  @PrimaryGeneratedColumn() id!: number;
  @Column('int') quantity!: number;
  @Column('numeric', { precision: 8, scale: 2 }) price!: string;
}

export const entities = [Product];
