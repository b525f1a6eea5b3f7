import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { loadMigrationFunctions, readMigrationDirectory } from '../../adapters/src/fs/migration-directory';
import { loadDataSource } from '../../adapters/src/typeorm/data-source';
import { requireFrom } from '../../adapters/src/typescript/typescript-loader';
import { recogniseTypeormMigrations, readTypeormHistory } from '../../adapters/src/typeorm/typeorm-history';
import { snapshotCatalog } from '../../testing/src/catalog';
import { createTestDatabase, DATABASE_KINDS, serverAdminUrl } from '../../testing/src/databases';
import { typeormLineUnderTest, writeTypeormLegacyProject } from '../../testing/src/typeorm-legacy-project';
import type { ProjectContext } from './context';
import { generate } from './generate';
import { importTypeorm } from './import-typeorm';
import { migrate } from './migrate';
import { MemoryReporter } from './reporter';
import { status } from './status';

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

async function columnsOf(url: string, table: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "select column_name from information_schema.columns where table_schema = 'public' and table_name = $1",
      [table],
    );
    return rows.map((row: { column_name: string }) => row.column_name);
  } finally {
    await client.end();
  }
}

async function connectWithUserTypeorm(dataSourceFile: string, url: string): Promise<DataSource> {
  const loaded = await loadDataSource(dataSourceFile);
  const DataSourceClass = loaded.constructor as new (options: object) => DataSource;
  const dataSource = new DataSourceClass({ ...loaded.options, url, migrations: [] });
  return dataSource.initialize();
}

describe.each(DATABASE_KINDS)(`import-typeorm with TypeORM ${line} on %s`, (kind) => {
  it('adopts 20 migrations applied by TypeORM’s CLI; migrate stamps them, status is at head, a generated revision builds on top and reverts', async () => {
    const project = writeTypeormLegacyProject(line);
    const db = await createTestDatabase(kind);
    const client = new Client({ connectionString: db.url });
    try {
      const cli = createRequire(project.dataSourceFile).resolve('typeorm/cli-ts-node-commonjs.js');
      const userTypeorm = JSON.parse(readFileSync(join(dirname(cli), 'package.json'), 'utf8')) as { version: string };
      expect(userTypeorm.version).toMatch(line === '0.3' ? /^0\.3\./ : /^1\./);
      // What the plugin loads the data source with is that copy too (Node's resolution, not Jest's registry).
      const loaded = await loadDataSource(project.dataSourceFile);
      expect(loaded.constructor).toBe(
        requireFrom<{ DataSource: unknown }>(project.dataSourceFile, 'typeorm').DataSource,
      );
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
      const { up, down } = await loadMigrationFunctions(newest);
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

      // From here on the team works with the plugin's own commands, as the import report tells it to.
      const dataSourceText = readFileSync(project.dataSourceFile, 'utf8');
      writeFileSync(
        project.dataSourceFile,
        dataSourceText.replace("migrations: [join(__dirname, 'migrations', '*.ts')]", 'migrations: []'),
      );
      expect(readFileSync(project.dataSourceFile, 'utf8')).toContain('migrations: []');
      const context: ProjectContext = {
        workspaceRoot: project.root,
        projectRoot: project.root,
        projectName: 'legacy',
        dataSourceFile: project.dataSourceFile,
        migrationsDir: project.versionsDir,
        env: { DATABASE_URL: db.url },
      };

      // Before the first migrate, status already reads TypeORM's table: at head, nothing pending, nothing written.
      const beforeAdoption = new MemoryReporter();
      expect(await status(context, { checkHeads: true }, beforeAdoption)).toMatchObject({
        success: true,
        atHead: true,
        pending: [],
      });
      expect(beforeAdoption.lines.join('\n')).toContain(`the next migrate records this database at ${head}`);

      const adopt = new MemoryReporter();
      const adopted = await migrate(context, {}, adopt);
      expect(adopted).toMatchObject({ success: true, headsBefore: [head], headsAfter: [head], steps: [] });
      expect(adopt.lines).toContain(
        `Adopted TypeORM's history: 20 TypeORM migration(s) already ran, so the database is stamped at ${head} ` +
          `(migrations/versions/${head}_rename_post_body_to_content.ts).`,
      );
      expect(adopt.lines).toContain(`Nothing to do: the database is already at ${head}.`);

      const atHead = await status(context, { checkHeads: true }, new MemoryReporter());
      expect(atHead).toMatchObject({ success: true, atHead: true, heads: [head], pending: [] });
      expect(atHead.current.map((entry) => entry.revision)).toEqual([head]);

      // An entity change, in a new file: Node caches entity modules within one process (each `nx g` is a process).
      const entityText = readFileSync(join(project.root, 'src', 'entities.ts'), 'utf8');
      const withBio = entityText.replace(
        '  lastLoginAt!: Date | null;\n',
        "  lastLoginAt!: Date | null;\n\n  @Column({ type: 'text', nullable: true })\n  bio!: string | null;\n",
      );
      expect(withBio).not.toBe(entityText);
      writeFileSync(join(project.root, 'src', 'entities-with-bio.ts'), withBio);
      writeFileSync(
        project.dataSourceFile,
        readFileSync(project.dataSourceFile, 'utf8').replace("from './entities'", "from './entities-with-bio'"),
      );
      const generated = await generate(
        context,
        { message: 'Add user bio', shadowDatabaseUrl: kind === 'postgres' ? serverAdminUrl() : undefined },
        new MemoryReporter(),
      );
      if (!generated.changed) throw new Error('generate found no change after a column was added to User');
      expect(generated.operations).toEqual(['+ column users.bio']);
      expect(generated.content).toContain(`export const downRevision: string | readonly string[] | null = '${head}';`);
      writeFileSync(generated.path, generated.content);

      const upgrade = await migrate(context, {}, new MemoryReporter());
      expect(upgrade).toMatchObject({ success: true, headsBefore: [head], headsAfter: [generated.revision] });
      expect(upgrade.steps.map((step) => [step.revision, step.direction, step.status])).toEqual([
        [generated.revision, 'up', 'done'],
      ]);
      expect(await status(context, { checkHeads: true }, new MemoryReporter())).toMatchObject({
        atHead: true,
        heads: [generated.revision],
        pending: [],
      });
      expect(await columnsOf(db.url, 'users')).toContain('bio');

      const revert = await migrate(context, { to: '-1' }, new MemoryReporter());
      expect(revert).toMatchObject({ success: true, headsBefore: [generated.revision], headsAfter: [head] });
      expect(revert.steps.map((step) => [step.revision, step.direction])).toEqual([[generated.revision, 'down']]);
      expect(await columnsOf(db.url, 'users')).not.toContain('bio');
      const behind = await status(context, { checkHeads: true }, new MemoryReporter());
      expect(behind).toMatchObject({ success: false, atHead: false });
      expect(behind.pending.map((entry) => entry.revision)).toEqual([generated.revision]);
      // Adoption, the new revision and its revert together leave every row of the application as TypeORM left it.
      const after = new Client({ connectionString: db.url });
      await after.connect();
      try {
        expect(await rowsOf(after)).toEqual(rowsBefore);
      } finally {
        await after.end();
      }
    } finally {
      await client.end().catch(() => undefined);
      await db.drop();
    }
  }, 120_000);
});
