import { Column, Entity, ManyToOne, OneToMany, PrimaryGeneratedColumn, RelationId } from 'typeorm';

@Entity()
export class Playlist {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column() title!: string;
  @OneToMany(() => Track, (track) => track.playlist, { cascade: true, eager: true }) tracks!: Track[];
}

@Entity()
export class Track {
  @PrimaryGeneratedColumn() id!: number;
  @Column('int', { default: 0 }) position!: number;
  @ManyToOne(() => Playlist, (playlist) => playlist.tracks, { onDelete: 'CASCADE', orphanedRowAction: 'delete' })
  playlist!: Playlist;
  @RelationId((track: Track) => track.playlist) playlistId!: string;
}

export const entities = [Playlist, Track];
