import { Column, Entity, PrimaryGeneratedColumn, ViewColumn, ViewEntity } from 'typeorm';

@Entity()
export class Sale {
  @PrimaryGeneratedColumn() id!: number;
  @Column() region!: string;
  @Column('int') total!: number;
}

@ViewEntity({
  materialized: true,
  expression: `SELECT "region", SUM("total") AS "total" FROM "sale" GROUP BY "region"`,
})
export class RegionTotal {
  @ViewColumn() region!: string;
  @ViewColumn() total!: number;
}

export const entities = [Sale, RegionTotal];
