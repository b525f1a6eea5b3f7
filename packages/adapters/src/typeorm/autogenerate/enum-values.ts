import type { SqlStatement } from '../schema-diff';

/**
 * Values appended at the end of a PostgreSQL enum. TypeORM's builder rebuilds the type for any change of its
 * values (rename the type, create it again, cast every column, drop the old one), which rewrites each table using
 * it; an append needs only `ALTER TYPE ... ADD VALUE`. PostgreSQL before 12 refuses `ADD VALUE` inside a transaction
 * block, and since 12 a value added in a transaction cannot be used before it commits, so a migration holding one is
 * generated with `transactional = false` (each statement commits on its own; `IF NOT EXISTS` lets a run that failed
 * after it be repeated).
 */

export interface EnumType {
  readonly schema: string;
  readonly name: string;
}

/** A column whose type is the enum (or an array of it), as the database holds it before the change. */
export interface EnumColumn {
  /** `"schema"."table"`. */
  readonly table: string;
  readonly column: string;
  readonly isArray: boolean;
  /** `pg_get_expr` of its default, if any (`'viewer'::account_role_enum`). */
  readonly default?: string;
}

/** The values appended to `before` to make `after`, or undefined when `after` is not `before` plus values at its end. */
export function appendedValues(before: readonly string[], after: readonly string[]): string[] | undefined {
  if (after.length <= before.length) return undefined;
  if (!before.every((value, index) => after[index] === value)) return undefined;
  const added = after.slice(before.length);
  return new Set(added).size === added.length && !added.some((value) => before.includes(value)) ? added : undefined;
}

export function addEnumValueStatements(type: EnumType, values: readonly string[]): SqlStatement[] {
  return values.map((value) => ({ sql: `ALTER TYPE ${quotedType(type)} ADD VALUE IF NOT EXISTS ${literal(value)}` }));
}

/**
 * The inverse of added values, in the order to run it. PostgreSQL cannot remove a value from an enum, so the type
 * is rebuilt with the values it had, as TypeORM's builder does, and every column using it cast back (a row holding
 * one of the added values makes it fail, which is what should happen).
 */
export function restoreEnumStatements(type: EnumType, values: readonly string[], columns: readonly EnumColumn[]): SqlStatement[] {
  const old = { schema: type.schema, name: `${type.name}_old` };
  const statements: string[] = [
    `ALTER TYPE ${quotedType(type)} RENAME TO "${old.name}"`,
    `CREATE TYPE ${quotedType(type)} AS ENUM(${values.map(literal).join(', ')})`,
  ];
  for (const column of columns) {
    const target = `${quotedType(type)}${column.isArray ? '[]' : ''}`;
    const alter = `ALTER TABLE ${column.table} ALTER COLUMN "${column.column}"`;
    if (column.default !== undefined) statements.push(`${alter} DROP DEFAULT`);
    statements.push(`${alter} TYPE ${target} USING "${column.column}"::text${column.isArray ? '[]' : ''}::${target}`);
    if (column.default !== undefined) statements.push(`${alter} SET DEFAULT ${column.default}`);
  }
  statements.push(`DROP TYPE ${quotedType(old)}`);
  return statements.map((sql) => ({ sql }));
}

function quotedType(type: EnumType): string {
  return `"${type.schema}"."${type.name}"`;
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
