import { Column, Entity, PrimaryGeneratedColumn, Tree, TreeChildren, TreeParent } from 'typeorm';

@Entity()
@Tree('materialized-path')
export class Region {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @TreeChildren() children!: Region[];
  @TreeParent() parent!: Region | null;
}

@Entity()
@Tree('nested-set')
export class Menu {
  @PrimaryGeneratedColumn() id!: number;
  @TreeChildren() children!: Menu[];
  @TreeParent() parent!: Menu | null;
}

export const entities = [Region, Menu];
