import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum Permission {
  Read = 'read',
  Write = 'write',
  Delete = 'delete',
}

@Entity()
export class ApiKey {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'enum', enum: Permission, array: true, default: [Permission.Read] }) permissions!: Permission[];
  @Column({ type: 'enum', enum: Permission, array: true, nullable: true }) extra!: Permission[] | null;
}

export const entities = [ApiKey];
