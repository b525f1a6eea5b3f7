import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ comment: 'Things people may borrow' })
export class Tool {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ comment: 'Shown in the catalogue' }) name!: string;
  @Column({ type: 'text', comment: "Owner's note, it's free text", nullable: true }) note!: string | null;
}

export const entities = [Tool];
