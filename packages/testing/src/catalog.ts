import { Client } from 'pg';

/**
 * A snapshot of what PostgreSQL's catalogs say about a schema, for comparing two databases in tests: tables with
 * their columns (type, nullability, default, generation), constraints and indexes; enums; views. Everything is
 * sorted by name, so two snapshots compare with `toEqual`.
 */
export interface CatalogSnapshot {
  readonly tables: Record<string, TableSnapshot>;
  readonly enums: Record<string, readonly string[]>;
  readonly views: Record<string, { readonly materialized: boolean; readonly definition: string }>;
}

export interface TableSnapshot {
  readonly columns: Record<string, ColumnSnapshot>;
  /** name -> `pg_get_constraintdef` (primary key, unique, check, foreign key, exclusion). */
  readonly constraints: Record<string, string>;
  /** name -> `pg_get_indexdef`, without the indexes that back constraints. */
  readonly indexes: Record<string, string>;
}

export interface ColumnSnapshot {
  readonly type: string;
  readonly nullable: boolean;
  readonly default: string | null;
  readonly generated: string | null;
  readonly identity: string | null;
}

/** The tables this plugin keeps for itself; not part of a user's schema. */
export const OWN_TABLES: readonly string[] = ['nx_migrations_version', 'nx_migrations_history', 'nx_migrations_lease'];

export async function snapshotCatalog(
  url: string,
  options: { schema?: string; excludeTables?: readonly string[] } = {},
): Promise<CatalogSnapshot> {
  const schema = options.schema ?? 'public';
  const exclude = new Set(options.excludeTables ?? OWN_TABLES);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query(
      `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
              NOT a.attnotnull AS nullable,
              CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default,
              CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END AS generated,
              NULLIF(a.attidentity, '') AS identity
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attname`,
      [schema],
    );
    const constraints = await client.query(
      `SELECT c.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition
         FROM pg_constraint k
         JOIN pg_class c ON c.oid = k.conrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND k.contype <> 'n'
        ORDER BY c.relname, k.conname`,
      [schema],
    );
    const indexes = await client.query(
      `SELECT t.relname AS table, i.relname AS name, pg_get_indexdef(i.oid) AS definition
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = $1 AND t.relkind IN ('r', 'p')
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid)
        ORDER BY t.relname, i.relname`,
      [schema],
    );
    const enums = await client.query(
      `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
         FROM pg_type t
         JOIN pg_enum e ON e.enumtypid = t.oid
         JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = $1
        GROUP BY t.typname
        ORDER BY t.typname`,
      [schema],
    );
    const views = await client.query(
      `SELECT c.relname AS name, c.relkind = 'm' AS materialized, pg_get_viewdef(c.oid) AS definition
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('v', 'm')
        ORDER BY c.relname`,
      [schema],
    );

    const tables: Record<string, { columns: Record<string, ColumnSnapshot>; constraints: Record<string, string>; indexes: Record<string, string> }> = {};
    const tableOf = (name: string) => (tables[name] ??= { columns: {}, constraints: {}, indexes: {} });
    for (const row of columns.rows) {
      if (exclude.has(row.table)) continue;
      tableOf(row.table).columns[row.column] = {
        type: row.type,
        nullable: row.nullable,
        default: row.default,
        generated: row.generated,
        identity: row.identity,
      };
    }
    for (const row of constraints.rows) if (!exclude.has(row.table)) tableOf(row.table).constraints[row.name] = row.definition;
    for (const row of indexes.rows) if (!exclude.has(row.table) && tables[row.table]) tableOf(row.table).indexes[row.name] = row.definition;
    return {
      tables,
      enums: Object.fromEntries(enums.rows.map((row) => [row.name, row.labels])),
      views: Object.fromEntries(
        views.rows.map((row) => [row.name, { materialized: row.materialized, definition: normalizeSpace(row.definition) }]),
      ),
    };
  } finally {
    await client.end();
  }
}

function normalizeSpace(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}
