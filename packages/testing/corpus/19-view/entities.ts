import { Column, Entity, PrimaryGeneratedColumn, ViewColumn, ViewEntity } from 'typeorm';

@Entity()
export class Employee {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @Column({ default: true }) active!: boolean;
}

@ViewEntity({ expression: `SELECT "id", "name" FROM "employee" WHERE "active" = true` })
export class ActiveEmployee {
  @ViewColumn() id!: number;
  @ViewColumn() name!: string;
}

export const entities = [Employee, ActiveEmployee];
