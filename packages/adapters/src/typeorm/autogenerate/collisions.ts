/**
 * Two definitions that name one table: an entity and many-to-many join tables (`@JoinTable({ name })`), or two
 * entities. TypeORM's builder generates a `CREATE TABLE` for each, identical to what its own CLI writes, and the
 * migration fails only when it is applied. Autogenerate stops before writing anything and names them.
 */

export interface TableDefinition {
  /** `schema.table`. */
  readonly table: string;
  /** What defines it, for a person: `entity Product`, `join table of Product.categories`. */
  readonly definition: string;
}

export class TableCollisionError extends Error {
  override readonly name = 'TableCollisionError';
  constructor(readonly collisions: ReadonlyMap<string, readonly string[]>) {
    const described = [...collisions].map(([table, definitions]) => `table ${table} is defined by ${definitions.join(', ')}`);
    super(
      `${described.join('; ')}: one table cannot have several definitions; give each its own name ` +
        '(@Entity(name), @JoinTable({ name })), then generate again. Nothing was written.',
    );
  }
}

/** Tables with more than one definition, each with its definitions in the order given. */
export function collidingTables(definitions: readonly TableDefinition[]): Map<string, string[]> {
  const byTable = new Map<string, string[]>();
  for (const { table, definition } of definitions) byTable.set(table, [...(byTable.get(table) ?? []), definition]);
  return new Map([...byTable].filter(([, list]) => list.length > 1));
}
