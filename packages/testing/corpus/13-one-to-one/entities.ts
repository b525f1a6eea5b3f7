import { Column, Entity, JoinColumn, OneToOne, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
export class Profile {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'text', nullable: true }) bio!: string | null;
}

@Entity()
export class Login {
  @PrimaryGeneratedColumn() id!: number;
  @OneToOne(() => Profile, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'profile_id' })
  profile!: Profile;
}

export const entities = [Profile, Login];
