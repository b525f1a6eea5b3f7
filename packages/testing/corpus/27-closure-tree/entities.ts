import { Column, Entity, PrimaryGeneratedColumn, Tree, TreeChildren, TreeParent } from 'typeorm';

@Entity()
@Tree('closure-table')
export class Folder {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @TreeChildren() children!: Folder[];
  @TreeParent({ onDelete: 'CASCADE' }) parent!: Folder | null;
}

export const entities = [Folder];
