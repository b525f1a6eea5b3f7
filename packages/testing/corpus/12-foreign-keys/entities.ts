import { Column, Entity, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
export class Author {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @OneToMany(() => Book, (book) => book.author) books!: Book[];
}

@Entity()
export class Publisher {
  @PrimaryGeneratedColumn() id!: number;
}

@Entity()
export class Book {
  @PrimaryGeneratedColumn() id!: number;
  @ManyToOne(() => Author, (author) => author.books, { onDelete: 'CASCADE', nullable: false }) author!: Author;
  @ManyToOne(() => Publisher, { onDelete: 'SET NULL', onUpdate: 'CASCADE', nullable: true }) publisher!: Publisher | null;
  @ManyToOne(() => Author, { onDelete: 'RESTRICT' }) editor!: Author;
}

export const entities = [Author, Publisher, Book];
