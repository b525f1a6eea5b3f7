import { Column, Entity, Generated, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
export class Session {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') userId!: string;
  @Column() @Generated('uuid') token!: string;
  @Column('uuid', { nullable: true }) parentId!: string | null;
}

export const entities = [Session];
