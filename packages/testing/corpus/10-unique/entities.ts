import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

@Entity()
@Unique(['firstName', 'lastName'])
@Unique('UQ_member_handle', ['handle'])
export class Member {
  @PrimaryGeneratedColumn() id!: number;
  @Column() firstName!: string;
  @Column() lastName!: string;
  @Column() handle!: string;
  @Column({ unique: true }) email!: string;
}

export const entities = [Member];
