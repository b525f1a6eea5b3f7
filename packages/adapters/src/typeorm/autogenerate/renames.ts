import { CodedError } from '../../../../core/src/errors';

/**
 * Renames: TypeORM's schema builder (like Alembic's autogenerate) sees a renamed column or table as one dropped and
 * one added, and the data goes with the drop. Here a likely rename is recognised (a column dropped and one added in
 * the same table with the same type; a table dropped and one added with the same columns), and a rename the user
 * confirms or names with `--rename` is generated as `RENAME` instead.
 */

/** A column as compared for renames: its name and a type key (`character varying`, `integer[]`, `enum(a,b)`). */
export interface ColumnShape {
  readonly name: string;
  readonly type: string;
}

export interface TableShape {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly ColumnShape[];
}

/** A table both in the database and in the entities, with the columns only one side has. */
export interface ChangedTable {
  readonly schema: string;
  readonly name: string;
  /** In the database, not in the entities. */
  readonly removed: readonly ColumnShape[];
  /** In the entities, not in the database. */
  readonly added: readonly ColumnShape[];
}

export interface ShapeDifference {
  /** Tables in the database (in scope, not the tool's own) that no entity owns. */
  readonly removedTables: readonly TableShape[];
  /** Tables of entities that the database does not have. */
  readonly addedTables: readonly TableShape[];
  readonly changedTables: readonly ChangedTable[];
}

export type Rename =
  | { readonly kind: 'table'; readonly schema: string; readonly from: string; readonly to: string }
  | { readonly kind: 'column'; readonly schema: string; readonly table: string; readonly from: string; readonly to: string };

/** A `--rename` value that does not name a dropped and an added column (or table). */
export class RenameHintError extends CodedError {
  readonly code = 'INVALID_RENAME';
  constructor(
    readonly hint: string,
    readonly reason: string,
  ) {
    super(`--rename=${hint}: ${reason}`);
  }
}

/** What `--rename` spells: `table.old:new` for a column (`schema.table.old:new`), `old:new` for a table (`schema.old:schema.new`). */
export function renameHintOf(rename: Rename, defaultSchema: string): string {
  const prefix = rename.schema === defaultSchema ? '' : `${rename.schema}.`;
  return rename.kind === 'column'
    ? `${prefix}${rename.table}.${rename.from}:${rename.to}`
    : `${prefix}${rename.from}:${prefix}${rename.to}`;
}

export function describeRename(rename: Rename): string {
  return rename.kind === 'column'
    ? `column ${rename.table}.${rename.from} -> ${rename.to}`
    : `table ${rename.from} -> ${rename.to}`;
}

/**
 * Pairs that look like renames: one dropped and one added with the same type (columns) or the same columns
 * (tables), when neither side could pair with anything else. An ambiguous pair is never guessed.
 */
export function likelyRenames(difference: ShapeDifference): Rename[] {
  const renames: Rename[] = [];
  const sameColumns = (a: TableShape, b: TableShape) =>
    a.schema === b.schema && a.columns.length === b.columns.length && a.columns.every((column) => b.columns.some((other) => other.name === column.name && other.type === column.type));
  for (const [from, to] of uniquePairs(difference.removedTables, difference.addedTables, sameColumns)) {
    renames.push({ kind: 'table', schema: from.schema, from: from.name, to: to.name });
  }
  for (const table of difference.changedTables) {
    for (const [from, to] of uniquePairs(table.removed, table.added, (a, b) => a.type === b.type)) {
      renames.push({ kind: 'column', schema: table.schema, table: table.name, from: from.name, to: to.name });
    }
  }
  return renames;
}

function uniquePairs<T>(left: readonly T[], right: readonly T[], match: (a: T, b: T) => boolean): [T, T][] {
  const pairs: [T, T][] = [];
  for (const a of left) {
    const matches = right.filter((b) => match(a, b));
    if (matches.length !== 1) continue;
    if (left.filter((other) => match(other, matches[0])).length !== 1) continue;
    pairs.push([a, matches[0]]);
  }
  return pairs;
}

/**
 * The renames `--rename` values name, checked against the difference: the old name must be dropped and the new one
 * added (in the same table for a column). A hint may pair columns of different types: the type change then follows
 * the rename.
 */
export function renamesFromHints(hints: readonly string[], difference: ShapeDifference, defaultSchema: string): Rename[] {
  return hints.map((hint) => {
    const parsed = parseRenameHint(hint, defaultSchema);
    if (parsed.kind === 'table') {
      if (!difference.removedTables.some((table) => table.schema === parsed.schema && table.name === parsed.from)) {
        throw new RenameHintError(hint, `no table ${parsed.from} is dropped (is it still an entity's table, or excluded?)`);
      }
      if (!difference.addedTables.some((table) => table.schema === parsed.schema && table.name === parsed.to)) {
        throw new RenameHintError(hint, `no table ${parsed.to} is added by the entities`);
      }
      return parsed;
    }
    const table = difference.changedTables.find((entry) => entry.schema === parsed.schema && entry.name === parsed.table);
    if (!table?.removed.some((column) => column.name === parsed.from)) {
      throw new RenameHintError(hint, `no column ${parsed.from} is dropped from table ${parsed.table}`);
    }
    if (!table.added.some((column) => column.name === parsed.to)) {
      throw new RenameHintError(hint, `no column ${parsed.to} is added to table ${parsed.table}`);
    }
    return parsed;
  });
}

export function parseRenameHint(hint: string, defaultSchema: string): Rename {
  const parts = hint.split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new RenameHintError(hint, 'write table.old_column:new_column for a column, old_table:new_table for a table');
  }
  const [left, right] = parts.map((part) => part.trim().split('.'));
  if (right.length === 1 && left.length >= 2 && left.length <= 3) {
    const [schema, table, from] = left.length === 3 ? left : [defaultSchema, ...left];
    return { kind: 'column', schema, table, from, to: right[0] };
  }
  if (left.length === 1 && right.length === 1) return { kind: 'table', schema: defaultSchema, from: left[0], to: right[0] };
  if (left.length === 2 && right.length === 2 && left[0] === right[0]) {
    return { kind: 'table', schema: left[0], from: left[1], to: right[1] };
  }
  throw new RenameHintError(hint, 'write table.old_column:new_column for a column, old_table:new_table (or schema.old:schema.new) for a table');
}

/** The difference once `renames` are applied: renamed tables and columns are neither dropped nor added. */
export function withoutRenamed(difference: ShapeDifference, renames: readonly Rename[]): ShapeDifference {
  const tableRenamed = (schema: string, name: string, side: 'from' | 'to') =>
    renames.some((rename) => rename.kind === 'table' && rename.schema === schema && rename[side] === name);
  const columnRenamed = (table: ChangedTable, name: string, side: 'from' | 'to') =>
    renames.some((rename) => rename.kind === 'column' && rename.schema === table.schema && rename.table === table.name && rename[side] === name);
  return {
    removedTables: difference.removedTables.filter((table) => !tableRenamed(table.schema, table.name, 'from')),
    addedTables: difference.addedTables.filter((table) => !tableRenamed(table.schema, table.name, 'to')),
    changedTables: difference.changedTables.map((table) => ({
      ...table,
      removed: table.removed.filter((column) => !columnRenamed(table, column.name, 'from')),
      added: table.added.filter((column) => !columnRenamed(table, column.name, 'to')),
    })),
  };
}
