import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
export class Article {
  @PrimaryGeneratedColumn() id!: number;
  @Column('text', { array: true, default: '{}' }) tags!: string[];
  @Column('int', { array: true, nullable: true }) scores!: number[] | null;
  @Column('varchar', { array: true, default: () => "'{a,b}'" }) letters!: string[];
  @Column('simple-array', { nullable: true }) legacy!: string[] | null;
  @Column('simple-json', { nullable: true }) legacyJson!: object | null;
}

export const entities = [Article];
