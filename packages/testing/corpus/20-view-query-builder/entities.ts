import { Column, DataSource, Entity, ManyToOne, PrimaryGeneratedColumn, ViewColumn, ViewEntity } from 'typeorm';

@Entity()
export class Category {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
}

@Entity()
export class Item {
  @PrimaryGeneratedColumn() id!: number;
  @Column() title!: string;
  @ManyToOne(() => Category) category!: Category;
}

@ViewEntity({
  expression: (dataSource: DataSource) =>
    dataSource
      .createQueryBuilder()
      .select('item.id', 'id')
      .addSelect('item.title', 'title')
      .addSelect('category.name', 'categoryName')
      .from(Item, 'item')
      .leftJoin(Category, 'category', 'category.id = item.categoryId'),
})
export class ItemListing {
  @ViewColumn() id!: number;
  @ViewColumn() title!: string;
  @ViewColumn() categoryName!: string;
}

export const entities = [Category, Item, ItemListing];
