import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { loadMigrationFunctions, readMigrationDirectory } from '../../adapters/src/fs/migration-directory';
import { loadDataSource } from '../../adapters/src/typeorm/data-source';
import { recogniseTypeormMigrations, readTypeormHistory } from '../../adapters/src/typeorm/typeorm-history';
import { snapshotCatalog } from '../../testing/src/catalog';
import { createTestDatabase, DATABASE_KINDS } from '../../testing/src/databases';
import { typeormLineUnderTest, writeTypeormLegacyProject } from '../../testing/src/typeorm-legacy-project';
import { importTypeorm } from './import-typeorm';

const line = typeormLineUnderTest();

/** Every table's row count and a digest of its rows: what "no row of the application was touched" compares. */
async function rowsOf(client: Client): Promise<Record<string, { count: number; digest: string | null }>> {
  const tables = await client.query(
    "select tablename from pg_tables where schemaname = 'public' and tablename not like 'nx_migrations_%' order by 1",
  );
  const state: Record<string, { count: number; digest: string | null }> = {};
  for (const { tablename } of tables.rows as Array<{ tablename: string }>) {
    const { rows } = await client.query(
      `select count(*)::int as count, md5(string_agg(t::text, ',' order by t::text)) as digest from "${tablename}" t`,
    );
    state[tablename] = rows[0];
  }
  return state;
}

async function connectWithUserTypeorm(dataSourceFile: string, url: string): Promise<DataSource> {
  const loaded = await loadDataSource(dataSourceFile);
  const DataSourceClass = loaded.constructor as new (options: object) => DataSource;
  const dataSource = new DataSourceClass({ ...loaded.options, url, migrations: [] });
  return dataSource.initialize();
}

describe.each(DATABASE_KINDS)(`import-typeorm with TypeORM ${line} on %s`, (kind) => {
  it('adopts 20 migrations applied by TypeORM’s CLI, recognises them as applied, and keeps their code working', async () => {
    const project = writeTypeormLegacyProject(line);
    const db = await createTestDatabase(kind);
    const client = new Client({ connectionString: db.url });
    try {
      const cli = createRequire(project.dataSourceFile).resolve('typeorm/cli-ts-node-commonjs.js');
      const run = await promisify(execFile)(
        process.execPath,
        [cli, 'migration:run', '-d', 'src/data-source.ts', '-t', 'each'],
        { cwd: project.root, env: { ...process.env, DATABASE_URL: db.url, TS_NODE_TRANSPILE_ONLY: 'true' } },
      );
      expect(run.stdout).toMatch(/Migration RenamePostBodyToContent1700000020000 has been +executed successfully/);

      await client.connect();
      const catalogBefore = await snapshotCatalog(db.url);
      const rowsBefore = await rowsOf(client);
      expect(rowsBefore['migrations'].count).toBe(20);
      expect(rowsBefore['settings'].count).toBe(2);

      const result = await importTypeorm({
        projectName: 'legacy',
        workspaceRoot: project.root,
        dataSourceFile: project.dataSourceFile,
        migrationsDir: project.versionsDir,
      });
      expect(result.files.map((file) => file.typeormName)).toEqual(project.migrationNames);
      expect(result.report).toContain('Imported 20 TypeORM migrations of legacy into migrations/versions:');
      expect(result.report).toContain('take these migrations out of the `migrations` setting of src/data-source.ts');

      const revisions = readMigrationDirectory(project.versionsDir);
      expect(revisions).toHaveLength(20);
      const head = result.files[19].revision;
      expect(
        revisions
          .filter((file) => !revisions.some((other) => other.downRevisions.includes(file.revision)))
          .map((file) => file.revision),
      ).toEqual([head]);
      expect(revisions.find((file) => file.revision === result.files[17].revision)?.transactional).toBe(false);

      const session = {
        query: async (sql: string, parameters?: unknown[]) => (await client.query(sql, parameters)).rows,
      };
      const recognition = await recogniseTypeormMigrations(session, {}, revisions);
      expect(recognition).toEqual({ revision: head, typeormNames: project.migrationNames });
      expect(await readTypeormHistory(session, { name: 'absent' })).toBeUndefined();

      const again = await importTypeorm({
        projectName: 'legacy',
        workspaceRoot: project.root,
        dataSourceFile: project.dataSourceFile,
        migrationsDir: project.versionsDir,
      });
      expect(again.files).toEqual([]);
      expect(again.report).toBe('Nothing to import: all 20 TypeORM migrations of legacy are revisions already.');

      expect(await snapshotCatalog(db.url)).toEqual(catalogBefore);
      expect(await rowsOf(client)).toEqual(rowsBefore);

      // The newest revision runs the original class: its down renames the column back, its up renames it again.
      const newest = revisions.find((file) => file.revision === head)!;
      expect(basename(newest.file)).toBe(`${head}_rename_post_body_to_content.ts`);
      const { up, down } = loadMigrationFunctions(newest);
      await client.end();
      const dataSource = await connectWithUserTypeorm(project.dataSourceFile, db.url);
      const queryRunner = dataSource.createQueryRunner();
      try {
        await down(queryRunner);
        expect((await queryRunner.getTable('posts'))?.columns.map((column) => column.name)).toContain('body');
        await up(queryRunner);
        expect((await queryRunner.getTable('posts'))?.columns.map((column) => column.name)).toContain('content');
      } finally {
        await queryRunner.release();
        await dataSource.destroy();
      }
    } finally {
      await client.end().catch(() => undefined);
      await db.drop();
    }
  }, 120_000);
});
