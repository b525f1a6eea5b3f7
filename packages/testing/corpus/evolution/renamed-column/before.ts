import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('person')
export class Person {
  @PrimaryGeneratedColumn() id!: number;
  @Index() @Column() name!: string;
}

export const entities = [Person];
