import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../../testing/src/databases';
import { snapshotCatalog, type CatalogSnapshot } from '../../../testing/src/catalog';
import { linkNodeModules } from '../../../testing/src/typeorm-legacy-project';
import { loadDataSource } from '../typeorm/data-source';
import { connectDataSourceTo, diffSchema, type SqlStatement } from '../typeorm/schema-diff';
import { safeMigration, type MigrationPart } from './safe-migration';

/**
 * Safe SQL by default over the entity corpus (`packages/testing/corpus`). Each set twice:
 *
 * 1. from an empty schema (every table new): the generated migration passes the lint, warnings aside;
 * 2. on existing tables: the set's schema is built, then its indexes, unique constraints, foreign keys and NOT NULLs
 *    are taken away, and autogenerate puts them back on the existing tables. The lint then finds nothing but
 *    what is risky by nature, each with its rule; the parts apply (the second outside a transaction), leave nothing
 *    for autogenerate to find, downgrade to the stripped schema and upgrade to the same schema again.
 */
const CORPUS = join(__dirname, '../../../testing/corpus');
// Sets of one entities file; the schema evolution cases (corpus/evolution) have stages of their own and their test.
const SETS = readdirSync(CORPUS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(CORPUS, entry.name, 'entities.ts')))
  .map((entry) => entry.name)
  .sort();

/** Rules whose safe form autogenerate writes: none of them may be left in a generated migration. */
const REWRITTEN = new Set(['PG001', 'PG006', 'PG008', 'PG009', 'PG013']);

const CORPUS_DATA_SOURCE = `import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { entities } from './entities';

export default new DataSource({ type: 'postgres', url: 'postgres://app:secret@db.invalid:5432/app', entities });
`;

async function userDataSource(folder: string, name: string): Promise<DataSource> {
  const src = join(folder, name, 'src');
  mkdirSync(src, { recursive: true });
  copyFileSync(join(CORPUS, name, 'entities.ts'), join(src, 'entities.ts'));
  writeFileSync(join(src, 'data-source.ts'), CORPUS_DATA_SOURCE);
  return loadDataSource(join(src, 'data-source.ts'));
}

async function onDatabase<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Takes away what autogenerate should put back on existing tables, in an order PostgreSQL accepts. */
async function strip(url: string): Promise<void> {
  await onDatabase(url, async (client) => {
    const tables = `SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'typeorm_metadata'`;
    const constraints = async (type: string) =>
      (
        await client.query<{ sql: string }>(
          `SELECT format('ALTER TABLE %I DROP CONSTRAINT %I', t.relname, k.conname) AS sql
             FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
            WHERE k.contype = $1 AND k.conrelid IN (${tables}) ORDER BY 1`,
          [type],
        )
      ).rows;
    for (const { sql } of await constraints('f')) await client.query(sql);
    for (const { sql } of await constraints('u')) await client.query(sql);
    const indexes = await client.query<{ sql: string }>(
      `SELECT format('DROP INDEX %I', i.relname) AS sql FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid IN (${tables}) AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
        ORDER BY 1`,
    );
    for (const { sql } of indexes.rows) await client.query(sql);
    const notNull = await client.query<{ sql: string }>(
      `SELECT format('ALTER TABLE %I ALTER COLUMN %I DROP NOT NULL', t.relname, a.attname) AS sql
         FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid
        WHERE a.attrelid IN (${tables}) AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
          AND a.attidentity = '' AND a.attgenerated = ''
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = a.attrelid AND k.contype = 'p'
                          AND a.attnum = ANY (k.conkey))
        ORDER BY 1`,
    );
    for (const { sql } of notNull.rows) await client.query(sql);
  });
}

/**
 * The catalog with each table's constraints as a sorted list of definitions: TypeORM names a unique constraint
 * differently in CREATE TABLE (its explicit or relation name) and in ADD CONSTRAINT (a hash), so only what the
 * constraints are can be compared between a schema built at once and one restored on existing tables.
 */
function shapeOf(snapshot: CatalogSnapshot): unknown {
  return {
    ...snapshot,
    tables: Object.fromEntries(
      Object.entries(snapshot.tables).map(([name, table]) => [
        name,
        { ...table, constraints: Object.values(table.constraints).sort() },
      ]),
    ),
  };
}

async function run(queryRunner: QueryRunner, transactional: boolean, statements: readonly SqlStatement[]): Promise<void> {
  if (transactional) await queryRunner.startTransaction();
  try {
    for (const statement of statements) await queryRunner.query(statement.sql, statement.parameters as unknown[]);
    if (transactional) await queryRunner.commitTransaction();
  } catch (error) {
    if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction();
    throw error;
  }
}

async function up(queryRunner: QueryRunner, parts: readonly MigrationPart[]): Promise<void> {
  for (const part of parts) await run(queryRunner, part.transactional, part.up);
}

async function down(queryRunner: QueryRunner, parts: readonly MigrationPart[]): Promise<void> {
  for (const part of [...parts].reverse()) await run(queryRunner, part.transactional, part.down);
}

jest.setTimeout(120_000);

/**
 * On the server by default (where the locks these forms avoid exist); on PGlite too with `SAFE_CORPUS=all`
 * (`npm run test:safe-corpus`): about a minute more, and PGlite runs the same SQL in the stairway tests already.
 */
const KINDS = process.env['SAFE_CORPUS'] === 'all' ? DATABASE_KINDS : DATABASE_KINDS.filter((kind) => kind === 'postgres');

describe.each(KINDS)('safe SQL by default over the entity corpus on %s', (kind) => {
  let database: TestDatabase;
  let folder: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    folder = mkdtempSync(join(tmpdir(), 'ntm-safe-corpus-'));
    linkNodeModules(folder);
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it.each(SETS)('%s: passes the lint on new tables, and on existing tables but for what is risky by nature', async (name) => {
    await onDatabase(database.url, async (client) => {
      await client.query('DROP SCHEMA public CASCADE');
      await client.query('CREATE SCHEMA public');
    });
    const connected = await connectDataSourceTo(await userDataSource(folder, name), database.url);
    const queryRunner = connected.createQueryRunner();
    try {
      const initial = await safeMigration(await diffSchema(connected));
      expect(initial.risks.filter((risk) => risk.finding.rule.severity === 'error')).toEqual([]);
      await up(queryRunner, initial.parts);
      const complete = await snapshotCatalog(database.url);

      await strip(database.url);
      const stripped = await snapshotCatalog(database.url);
      const restore = await safeMigration(await diffSchema(connected));
      const errors = restore.risks.filter((risk) => risk.finding.rule.severity === 'error');
      expect(errors.filter((risk) => REWRITTEN.has(risk.finding.rule.id))).toEqual([]);
      for (const risk of errors) expect(risk.finding.subject).toBeTruthy();
      if (restore.parts.some((part) => part.up.length > 0)) {
        await up(queryRunner, restore.parts);
        expect(await diffSchema(connected)).toEqual({ up: [], down: [] });
        const restored = await snapshotCatalog(database.url);
        if (errors.length === 0) expect(shapeOf(restored)).toEqual(shapeOf(complete));
        await down(queryRunner, restore.parts);
        expect(await snapshotCatalog(database.url)).toEqual(stripped);
        await up(queryRunner, restore.parts);
        expect(await snapshotCatalog(database.url)).toEqual(restored);
      }
    } finally {
      await queryRunner.release();
      await connected.destroy();
    }
  });
});
