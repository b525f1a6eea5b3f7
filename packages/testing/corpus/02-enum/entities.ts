import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum Role {
  Admin = 'admin',
  Editor = 'editor',
  Viewer = 'viewer',
}

@Entity()
export class Account {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'enum', enum: Role, default: Role.Viewer }) role!: Role;
  @Column({ type: 'enum', enum: ['draft', 'live'], nullable: true }) stage!: string | null;
}

export const entities = [Account];
