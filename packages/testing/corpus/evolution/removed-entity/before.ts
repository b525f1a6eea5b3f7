import { Column, Entity, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

export enum Genre {
  Novel = 'novel',
  Essay = 'essay',
}

@Entity('author')
export class Author {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
}

@Entity('book')
export class Book {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ unique: true }) isbn!: string;
  @Column({ type: 'enum', enum: Genre, default: Genre.Novel }) genre!: Genre;
  @ManyToOne(() => Author, { onDelete: 'CASCADE' }) author!: Author;
}

@Entity('review')
export class Review {
  @PrimaryGeneratedColumn() id!: number;
  @ManyToOne(() => Book) book!: Book;
  @Column({ type: 'enum', enum: ['good', 'bad'] }) verdict!: string;
}

export const entities = [Author, Book, Review];
