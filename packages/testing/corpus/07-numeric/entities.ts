import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
export class Measurement {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column('numeric', { precision: 10, scale: 2 }) amount!: string;
  @Column('decimal', { precision: 5, scale: 0, default: 0 }) whole!: string;
  @Column('numeric', { precision: 12, scale: 4, default: 1.5 }) ratio!: string;
  @Column('numeric', { nullable: true }) unbounded!: string | null;
  @Column('double precision') reading!: number;
  @Column('real', { default: 0.5 }) weight!: number;
  @Column('bigint', { default: 0 }) big!: string;
  @Column('float') approx!: number;
}

export const entities = [Measurement];
