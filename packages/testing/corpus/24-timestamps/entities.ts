import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

@Entity()
export class Event {
  @PrimaryGeneratedColumn() id!: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamp with time zone' }) updatedAt!: Date;
  @DeleteDateColumn({ type: 'timestamp' }) deletedAt!: Date | null;
  @VersionColumn() version!: number;
  @Column({ type: 'timestamptz', default: () => 'CURRENT_TIMESTAMP' }) startsAt!: Date;
  @Column({ type: 'timestamp', default: () => 'now()' }) loggedAt!: Date;
  @Column({ type: 'timestamp', precision: 3, nullable: true }) precise!: Date | null;
  @Column({ type: 'date', default: () => 'CURRENT_DATE' }) day!: string;
  @Column({ type: 'time', nullable: true }) at!: string | null;
  @Column({ type: 'interval', nullable: true }) duration!: string | null;
}

export const entities = [Event];
