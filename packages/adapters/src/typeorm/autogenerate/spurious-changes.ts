import type { QueryRunner } from 'typeorm';
import type { SchemaDifference, SqlStatement } from '../schema-diff';

/**
 * Changes TypeORM's schema builder reports that are not changes, removed before they reach a migration file.
 *
 * TypeORM pairs its statements: `downQueries[i]` undoes `upQueries[i]`. Every suppression removes whole pairs, so
 * it is only attempted when the two lists have the same length.
 */
export async function suppressSpuriousChanges(
  difference: SchemaDifference,
  queryRunner: QueryRunner,
  existingColumns: () => Promise<ExistingColumns> = () => readExistingColumns(queryRunner),
): Promise<SchemaDifference> {
  if (difference.up.length !== difference.down.length) return difference;
  const keep = difference.up.map(() => true);
  dropDuplicateEnumTypes(difference.up, keep);
  await dropColumnNoOps(difference.up, keep, queryRunner, existingColumns);
  return {
    up: difference.up.filter((_, index) => keep[index]),
    down: difference.down.filter((_, index) => keep[index]),
  };
}

/**
 * Two columns sharing one named enum (`enumName`) in two new tables: TypeORM emits `CREATE TYPE` once per table,
 * and the second one fails ("type ... already exists"). The first pair stays; its `DROP TYPE` runs last on the way
 * down, after both tables are gone.
 */
export function dropDuplicateEnumTypes(up: readonly SqlStatement[], keep: boolean[]): void {
  const created = new Set<string>();
  up.forEach((statement, index) => {
    const type = /^CREATE TYPE (\S+) AS ENUM\(/.exec(statement.sql)?.[1];
    if (!type) return;
    if (created.has(type)) keep[index] = false;
    created.add(type);
  });
}

/** `ALTER TABLE "t" ALTER COLUMN "c" ...`, `... DROP COLUMN "c"`, `... ADD "c" ...`: the column a statement changes. */
export function columnChangedBy(sql: string): { table: string; column: string } | undefined {
  const match = /^ALTER TABLE ((?:"[^"]+"\.)?"[^"]+") (?:ALTER COLUMN|DROP COLUMN|ADD) "([^"]+)"/.exec(sql);
  return match ? { table: match[1], column: match[2] } : undefined;
}

/**
 * Runs of statements that change one column of an existing table (a `SET DEFAULT`, a `DROP COLUMN` + `ADD` that
 * recreates it) but leave its catalog entry exactly as it was: TypeORM compares its own rendering of a default or
 * a type with PostgreSQL's, and some pairs never match (a numeric default `1.5` is rendered `'1.5'` by TypeORM and
 * stored as `1.5` by PostgreSQL, so every run proposed `SET DEFAULT '1.5'` again). Each run is tried in a
 * transaction that is rolled back; when the column reads the same afterwards, the run is dropped.
 */
async function dropColumnNoOps(
  up: readonly SqlStatement[],
  keep: boolean[],
  queryRunner: QueryRunner,
  existingColumns: () => Promise<ExistingColumns>,
): Promise<void> {
  const runs: { table: string; column: string; indexes: number[] }[] = [];
  up.forEach((statement, index) => {
    const target = columnChangedBy(statement.sql);
    if (!target) return;
    const last = runs[runs.length - 1];
    if (last && last.table === target.table && last.column === target.column && last.indexes.at(-1) === index - 1) {
      last.indexes.push(index);
    } else {
      runs.push({ ...target, indexes: [index] });
    }
  });
  if (runs.length === 0) return;
  const existing = await existingColumns();
  for (const run of runs) {
    // A column or table the builder adds (the table is created earlier in `up`) has nothing to compare with.
    const before = existing.get(columnKey(run.table, run.column, existing.currentSchema));
    if (before === undefined) continue;
    if (await leavesColumnUnchanged(queryRunner, run, up, before)) for (const index of run.indexes) keep[index] = false;
  }
}

/** What a column is, as the catalog says it (`a`: its `pg_attribute` row, `d`: its `pg_attrdef` row, if any). */
const COLUMN_DEFINITION = `concat_ws(' | ', format_type(a.atttypid, a.atttypmod), a.attnotnull::text, a.attgenerated::text,
            a.attidentity::text, a.attcollation::text, pg_get_expr(d.adbin, d.adrelid))`;

/** `n` (a `pg_namespace` row) is one of the database's own schemas, not PostgreSQL's. */
export const OWN_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

/**
 * Every column of the database's own schemas as `readColumn` reads one, by `columnKey`, in one question whose words
 * do not depend on the entities (so that recorded answers of a shadow serve it).
 */
export type ExistingColumns = Map<string, string> & { currentSchema: string };

export async function readExistingColumns(queryRunner: QueryRunner): Promise<ExistingColumns> {
  const rows: { schema: string; table: string; column: string; definition: string; current: string }[] = await queryRunner.query(
    `SELECT n.nspname AS "schema", c.relname AS "table", a.attname AS "column", current_schema() AS "current",
            ${COLUMN_DEFINITION} AS definition
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND ${OWN_SCHEMA}`,
  );
  const columns = new Map<string, string>() as ExistingColumns;
  columns.currentSchema = rows[0]?.current ?? 'public';
  for (const row of rows) columns.set(`${row.schema}\0${row.table}\0${row.column}`, row.definition);
  return columns;
}

/** The key of `readExistingColumns` for a table as TypeORM writes it in SQL (`"t"` or `"s"."t"`) and a column. */
export function columnKey(table: string, column: string, currentSchema: string): string {
  const parts = [...table.matchAll(/"((?:[^"]|"")+)"/g)].map((match) => match[1]!.replace(/""/g, '"'));
  const [schema, name] = parts.length > 1 ? parts : [currentSchema, parts[0] ?? table];
  return `${schema}\0${name}\0${column}`;
}

async function leavesColumnUnchanged(
  queryRunner: QueryRunner,
  run: { table: string; column: string; indexes: number[] },
  up: readonly SqlStatement[],
  before: string,
): Promise<boolean> {
  await queryRunner.startTransaction();
  try {
    await queryRunner.query(`SET LOCAL lock_timeout = '5s'`);
    for (const index of run.indexes) await queryRunner.query(up[index].sql, up[index].parameters as unknown[]);
    return before === (await readColumn(queryRunner, run.table, run.column));
  } catch {
    // A statement that fails on its own (it needs an earlier one of `up`) is a real change: keep it.
    return false;
  } finally {
    await queryRunner.rollbackTransaction();
  }
}

async function readColumn(queryRunner: QueryRunner, table: string, column: string): Promise<string | undefined> {
  const rows: { definition: string }[] = await queryRunner.query(
    `SELECT ${COLUMN_DEFINITION} AS definition
       FROM pg_attribute a
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped`,
    [table, column],
  );
  return rows[0]?.definition;
}
