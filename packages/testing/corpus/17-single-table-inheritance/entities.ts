import { ChildEntity, Column, Entity, PrimaryGeneratedColumn, TableInheritance } from 'typeorm';

@Entity()
@TableInheritance({ column: { type: 'varchar', name: 'kind' } })
export class Content {
  @PrimaryGeneratedColumn() id!: number;
  @Column() title!: string;
}

@ChildEntity()
export class Photo extends Content {
  @Column({ nullable: true }) size!: string;
}

@ChildEntity('vid')
export class Video extends Content {
  @Column({ type: 'int', nullable: true }) seconds!: number;
}

export const entities = [Content, Photo, Video];
