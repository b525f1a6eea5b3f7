import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
export class Document {
  @PrimaryGeneratedColumn() id!: number;
  @Column('jsonb') body!: object;
  @Column('jsonb', { default: {} }) meta!: object;
  @Column('jsonb', { default: () => "'[]'" }) list!: unknown[];
  @Column('json', { nullable: true }) raw!: object | null;
  @Column('jsonb', { default: { a: 1 } }) preset!: object;
}

export const entities = [Document];
