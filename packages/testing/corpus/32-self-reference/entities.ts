import { Column, Entity, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
export class Staff {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @ManyToOne(() => Staff, (staff) => staff.reports, { onDelete: 'SET NULL', nullable: true }) manager!: Staff | null;
  @OneToMany(() => Staff, (staff) => staff.manager) reports!: Staff[];
}

export const entities = [Staff];
