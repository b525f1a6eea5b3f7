import { CodedError } from '../../../../core/src/errors';

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

export class TableCollisionError extends CodedError {
  readonly code = 'TABLE_COLLISION';
  constructor(readonly collisions: ReadonlyMap<string, readonly string[]>) {
    super([...collisions].map(([table, definitions]) => `table ${table} is defined by ${definitions.join(', ')}`).join('; '));
  }
}

/** Tables with more than one definition, each with its definitions in the order given. */
export function collidingTables(definitions: readonly TableDefinition[]): Map<string, string[]> {
  const byTable = new Map<string, string[]>();
  for (const { table, definition } of definitions) byTable.set(table, [...(byTable.get(table) ?? []), definition]);
  return new Map([...byTable].filter(([, list]) => list.length > 1));
}
