import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('person')
export class Person {
  @PrimaryGeneratedColumn() id!: number;
  @Index() @Column() fullName!: string;
}

export const entities = [Person];
