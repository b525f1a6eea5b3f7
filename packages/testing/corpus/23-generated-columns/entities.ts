import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
export class Rectangle {
  @PrimaryGeneratedColumn() id!: number;
  @Column('int') width!: number;
  @Column('int') height!: number;
  @Column({ type: 'int', generatedType: 'STORED', asExpression: '"width" * "height"' }) area!: number;
  @Column() label!: string;
  @Column({ type: 'text', generatedType: 'STORED', asExpression: `upper("label")`, nullable: true }) upperLabel!: string;
}

export const entities = [Rectangle];
