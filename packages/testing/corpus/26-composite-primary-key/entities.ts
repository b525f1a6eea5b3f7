import { Column, Entity, ManyToOne, PrimaryColumn, JoinColumn } from 'typeorm';

@Entity()
export class Country {
  @PrimaryColumn({ length: 2 }) code!: string;
  @PrimaryColumn('int') year!: number;
  @Column() name!: string;
}

@Entity()
export class Census {
  @PrimaryColumn() id!: number;
  @ManyToOne(() => Country)
  @JoinColumn([
    { name: 'countryCode', referencedColumnName: 'code' },
    { name: 'countryYear', referencedColumnName: 'year' },
  ])
  country!: Country;
}

export const entities = [Country, Census];
