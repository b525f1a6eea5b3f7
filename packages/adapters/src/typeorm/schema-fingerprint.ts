import type { QueryRunner } from 'typeorm';

/**
 * Every user object of a database as one sorted line each (tables, columns, constraints, indexes, sequences, views,
 * types, functions, extensions), for the stairway check: a downgrade must leave exactly the lines that were there
 * before its upgrade. System schemas and this plugin's own tables are left out.
 */
export async function schemaFingerprint(queryRunner: QueryRunner): Promise<string[]> {
  const rows: Array<{ line: string }> = await queryRunner.query(FINGERPRINT_SQL);
  return rows.map((row) => row.line).sort();
}

/** The lines of `after` missing from `before` (added) and the reverse (removed). */
export function fingerprintDifference(
  before: readonly string[],
  after: readonly string[],
): { added: string[]; removed: string[] } {
  const beforeSet = new Set(before);
  const afterSet = new Set(after);
  return {
    added: after.filter((line) => !beforeSet.has(line)),
    removed: before.filter((line) => !afterSet.has(line)),
  };
}

const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'
  AND n.nspname NOT LIKE 'pg_toast_temp%'`;
const OWN_TABLES = `c.relname NOT IN ('nx_migrations_version', 'nx_migrations_history')`;

const FINGERPRINT_SQL = `
SELECT 'schema ' || n.nspname AS line FROM pg_namespace n WHERE ${USER_SCHEMA} AND n.nspname <> 'public'
UNION ALL
SELECT 'relation ' || n.nspname || '.' || c.relname || ' kind ' || c.relkind::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE ${USER_SCHEMA} AND ${OWN_TABLES} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
UNION ALL
SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
       || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE ${USER_SCHEMA} AND ${OWN_TABLES} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0
   AND NOT a.attisdropped
UNION ALL
SELECT 'constraint ' || n.nspname || '.' || c.relname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid)
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE ${USER_SCHEMA} AND ${OWN_TABLES}
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid)
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE ${USER_SCHEMA} AND ${OWN_TABLES}
UNION ALL
SELECT 'view ' || n.nspname || '.' || c.relname || ' ' || pg_get_viewdef(c.oid)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE ${USER_SCHEMA} AND c.relkind IN ('v', 'm')
UNION ALL
SELECT 'type ' || n.nspname || '.' || t.typname || ' ' || t.typtype::text
       || coalesce(' (' || (SELECT string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder)
                              FROM pg_enum e WHERE e.enumtypid = t.oid) || ')', '')
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE ${USER_SCHEMA} AND t.typtype IN ('e', 'd', 'r')
UNION ALL
SELECT 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE ${USER_SCHEMA}
UNION ALL
SELECT 'extension ' || e.extname FROM pg_extension e WHERE e.extname <> 'plpgsql'
`;
