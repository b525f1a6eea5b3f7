import { userWords } from '../../../../testing/src/user-words';
import { collidingTables, TableCollisionError } from './collisions';

describe('collidingTables', () => {
  it('finds an entity and two join tables naming one table, and nothing else', () => {
    const collisions = collidingTables([
      { table: 'public.product_category', definition: 'entity ProductCategory' },
      { table: 'public.product', definition: 'entity Product' },
      { table: 'public.product_category', definition: 'the many-to-many join table of Product.categories' },
      { table: 'public.product_category', definition: 'the many-to-many join table of Category.products' },
    ]);
    expect([...collisions]).toEqual([
      [
        'public.product_category',
        ['entity ProductCategory', 'the many-to-many join table of Product.categories', 'the many-to-many join table of Category.products'],
      ],
    ]);
    expect(userWords(new TableCollisionError(collisions))).toBe(
      'Table public.product_category is defined by entity ProductCategory, the many-to-many join table of Product.categories, ' +
        'the many-to-many join table of Category.products: one table cannot have several definitions; give each its own name ' +
        '(@Entity(name), @JoinTable({ name })), then generate again. Nothing was written.',
    );
  });

  it('is empty when every table has one definition', () => {
    expect(collidingTables([{ table: 'public.a', definition: 'entity A' }, { table: 'crm.a', definition: 'entity CrmA' }]).size).toBe(0);
  });
});
