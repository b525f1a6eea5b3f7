import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
export class Setting {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ default: 'unnamed' }) label!: string;
  @Column({ default: 0 }) counter!: number;
  @Column({ default: -1 }) negative!: number;
  @Column({ default: true }) enabled!: boolean;
  @Column({ type: 'varchar', default: null, nullable: true }) optional!: string | null;
  @Column({ type: 'int', default: () => '40 + 2' }) computed!: number;
  @Column({ type: 'varchar', default: () => "'lit'" }) literal!: string;
}

export const entities = [Setting];
