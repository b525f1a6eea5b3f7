import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
export class Device {
  @PrimaryGeneratedColumn() id!: number;
  @Column('char', { length: 2 }) countryCode!: string;
  @Column('varchar', { length: 64 }) model!: string;
  @Column('citext') serial!: string;
  @Column('inet', { nullable: true }) address!: string | null;
  @Column('cidr', { nullable: true }) network!: string | null;
  @Column('macaddr', { nullable: true }) mac!: string | null;
  @Column('bytea', { nullable: true }) firmware!: Buffer | null;
  @Column('money', { nullable: true }) cost!: string | null;
  @Column('hstore', { nullable: true }) attributes!: Record<string, string> | null;
  @Column('ltree', { nullable: true }) path!: string | null;
  @Column('tsvector', { nullable: true }) search!: string | null;
  @Column('point', { nullable: true }) location!: string | null;
}

export const entities = [Device];
