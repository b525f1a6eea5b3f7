import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'tbl_owner' })
export class Owner {
  @PrimaryGeneratedColumn({ name: 'owner_id', primaryKeyConstraintName: 'pk_owner' }) id!: number;
  @Column({ name: 'full_name', length: 200 }) fullName!: string;
}

@Entity({ name: 'tbl_asset' })
@Index('ix_asset_owner_label', ['owner', 'label'])
export class Asset {
  @PrimaryGeneratedColumn({ name: 'asset_id', primaryKeyConstraintName: 'pk_asset' }) id!: number;
  @Column({ name: 'asset_label' }) label!: string;
  @ManyToOne(() => Owner, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_ref', foreignKeyConstraintName: 'fk_asset_owner' })
  owner!: Owner;
}

export const entities = [Owner, Asset];
