import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
@Index(['lastName', 'firstName'])
@Index('IDX_contact_email_unique', ['email'], { unique: true })
export class Contact {
  @PrimaryGeneratedColumn() id!: number;
  @Column() firstName!: string;
  @Index() @Column() lastName!: string;
  @Column() email!: string;
  @Index({ unique: true }) @Column({ type: 'varchar', nullable: true }) phone!: string | null;
}

export const entities = [Contact];
