import { Column, Entity, JoinTable, ManyToMany, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
export class Tag {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
}

@Entity()
export class Post {
  @PrimaryGeneratedColumn() id!: number;
  @ManyToMany(() => Tag)
  @JoinTable()
  tags!: Tag[];
}

export const entities = [Tag, Post];
