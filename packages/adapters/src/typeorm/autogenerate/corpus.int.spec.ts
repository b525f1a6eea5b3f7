import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { migrationFileName, renderMigrationFile } from '../../../../core/src/migration-file';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../../../testing/src/databases';
import { snapshotCatalog } from '../../../../testing/src/catalog';
import { linkNodeModules } from '../../../../testing/src/typeorm-legacy-project';
import { loadMigrationFunctions, readMigrationDirectory } from '../../fs/migration-directory';
import { loadDataSource } from '../data-source';
import { connectDataSourceTo, diffSchema } from '../schema-diff';

/**
 * The entity corpus (`packages/testing/corpus/<set>/entities.ts`), each set on both databases: generate from an
 * empty schema, apply the rendered migration file, generate again (no changes), downgrade (no table left), upgrade
 * again, and compare the catalog with what TypeORM's own `synchronize` builds from the same entities. Each set is
 * copied into a project whose `typeorm` is the line under test (`NTM_TYPEORM_LINE`) and loaded as a user's data
 * source is, so the entities register their decorators in that TypeORM.
 */
const CORPUS = join(__dirname, '../../../../testing/corpus');
// `evolution/` holds cases of changing entities (`packages/commands/src/autogenerate-evolution.int.spec.ts`).
const SETS = readdirSync(CORPUS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(CORPUS, entry.name, 'entities.ts')))
  .map((entry) => entry.name)
  .sort();

/** Where the user's data source points does not matter: autogenerate connects a copy to the database it diffs. */
const CORPUS_DATA_SOURCE = `import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { entities } from './entities';

export default new DataSource({ type: 'postgres', url: 'postgres://app:secret@db.invalid:5432/app', entities });
`;

/** The set as a user's project: its entities and a data source listing them, under `folder/<name>`. */
async function userDataSource(folder: string, name: string): Promise<DataSource> {
  const src = join(folder, name, 'src');
  mkdirSync(src, { recursive: true });
  copyFileSync(join(CORPUS, name, 'entities.ts'), join(src, 'entities.ts'));
  writeFileSync(join(src, 'data-source.ts'), CORPUS_DATA_SOURCE);
  return loadDataSource(join(src, 'data-source.ts'));
}

async function resetSchema(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA public CASCADE');
    await client.query('CREATE SCHEMA public');
  } finally {
    await client.end();
  }
}

async function inTransaction(queryRunner: QueryRunner, work: () => Promise<void>): Promise<void> {
  await queryRunner.startTransaction();
  try {
    await work();
    await queryRunner.commitTransaction();
  } catch (error) {
    await queryRunner.rollbackTransaction();
    throw error;
  }
}

async function userTables(connected: DataSource): Promise<string[]> {
  const rows: { name: string }[] = await connected.query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

// The integration project's testTimeout is not applied per project by Jest; a fresh PGlite alone can take 5 s.
jest.setTimeout(120_000);

describe.each(DATABASE_KINDS)('autogenerate over the entity corpus on %s', (kind) => {
  let database: TestDatabase;
  let folder: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    folder = mkdtempSync(join(tmpdir(), 'ntm-corpus-'));
    linkNodeModules(folder);
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it.each(SETS)('%s: generate, apply, no changes, downgrade, upgrade, same schema as synchronize', async (name) => {
    await resetSchema(database.url);
    const connected = await connectDataSourceTo(await userDataSource(folder, name), database.url);
    const queryRunner = connected.createQueryRunner();
    try {
      const generated = await diffSchema(connected);
      expect(generated.up.length).toBeGreaterThan(0);

      const dir = join(folder, name, 'versions');
      mkdirSync(dir);
      writeFileSync(
        join(dir, migrationFileName('a1b2c3d4e5f6', `initial ${name}`)),
        renderMigrationFile({
          revision: 'a1b2c3d4e5f6',
          downRevisions: [],
          message: `initial ${name}`,
          createDate: new Date(0),
          up: generated.up,
          down: generated.down,
        }),
      );
      const [migration] = readMigrationDirectory(dir);
      const { up, down } = await loadMigrationFunctions(migration);

      await inTransaction(queryRunner, () => Promise.resolve(up(queryRunner)));
      expect(await diffSchema(connected)).toEqual({ up: [], down: [] });
      const afterUpgrade = await snapshotCatalog(database.url);
      expect(Object.keys(afterUpgrade.tables).length).toBeGreaterThan(0);

      await inTransaction(queryRunner, () => Promise.resolve(down(queryRunner)));
      expect(await userTables(connected)).toEqual([]);
      expect((await snapshotCatalog(database.url)).enums).toEqual({});

      await inTransaction(queryRunner, () => Promise.resolve(up(queryRunner)));
      expect(await snapshotCatalog(database.url)).toEqual(afterUpgrade);

      await inTransaction(queryRunner, () => Promise.resolve(down(queryRunner)));
      await connected.synchronize();
      expect(await snapshotCatalog(database.url)).toEqual(afterUpgrade);
    } finally {
      await queryRunner.release();
      await connected.destroy();
    }
  });
});
