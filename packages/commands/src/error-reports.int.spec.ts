import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ExecutorContext } from '@nx/devkit';
import { FsTree } from 'nx/src/generators/tree';
import { Client } from 'pg';
import { main } from '../../cli/src/main';
import migrateExecutor from '../../nx/src/executors/migrate/executor';
import { importTypeormGenerator } from '../../nx/src/generators/import-typeorm/generator';
import { migrationGenerator } from '../../nx/src/generators/migration/generator';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../testing/src/databases';
import { writeTestProject, type TestMigration, type TestProject } from '../../testing/src/projects';
import { importTypeorm } from './import-typeorm';

/**
 * The errors users meet, raised for real through the CLI (in process, with its exit code and streams) and the Nx
 * executor and generators, on the PostgreSQL server and PGlite: the first line is the sentence of the error table,
 * worded for the route taken, with no stack trace (unless --verbose, which shows the real cause's), no password,
 * and the database as it was.
 */

const PASSWORD = 's3cret-pw';

const FIRST: TestMigration = {
  revision: 'aaaa00000001',
  downRevisions: [],
  message: 'Create users',
  up: ['CREATE TABLE "app_users" ("id" serial PRIMARY KEY)'],
  down: ['DROP TABLE "app_users"'],
};

/** Its `up` creates a table, then its own code throws a TypeError (a typo in a settings object). */
const THROWING: TestMigration = {
  revision: 'bbbb00000002',
  downRevisions: ['aaaa00000001'],
  message: 'Fill settings',
  up: ['CREATE TABLE "settings" ("key" text PRIMARY KEY)', "INSERT INTO \"settings\" VALUES ('retries')"],
  down: ['DROP TABLE "settings"'],
};

function writeThrowingMigration(project: TestProject): void {
  const file = project.writeMigration(THROWING);
  const text = readFileSync(file, 'utf8');
  const first = 'await queryRunner.query(`CREATE TABLE "settings" ("key" text PRIMARY KEY)`);';
  if (!text.includes(first)) throw new Error(`The rendered migration changed:\n${text}`);
  writeFileSync(
    file,
    text.replace(
      first,
      `${first}\n  const defaults: { retries?: { count: number } } = {};\n  defaults.retries!.count += 1;`,
    ),
  );
}

interface Seen {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sink(): { stream: NodeJS.WritableStream; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

/** `nx-typeorm-migrations VERB ... --project-root=<project>` in this process: exit code, stdout, stderr. */
async function cli(project: TestProject, env: Record<string, string>, ...args: string[]): Promise<Seen> {
  const out = sink();
  const err = sink();
  const code = await main([...args, `--project-root=${project.projectRoot}`], {
    out: out.stream,
    err: err.stream,
    cwd: project.workspaceRoot,
    env,
    interactive: false,
    confirm: async () => false,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

/**
 * What an executor or generator printed (`output`: stdout and stderr; `stderr` alone), run with `env` in
 * `process.env`, where they read it.
 */
async function captured(
  env: Record<string, string>,
  run: () => Promise<unknown>,
): Promise<{ result: unknown; output: string; stderr: string }> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const chunks: string[] = [];
  const errors: string[] = [];
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    chunks.push(String(chunk));
    errors.push(String(chunk));
    return true;
  });
  try {
    let result: unknown;
    try {
      result = await run();
    } catch (error) {
      result = error;
    }
    return { result, output: chunks.join(''), stderr: errors.join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/** `nx run backend:db-up` (the migrate target, renamed) with these options. */
function nxMigrate(project: TestProject, env: Record<string, string>, options: Record<string, unknown> = {}) {
  const context = {
    root: project.workspaceRoot,
    cwd: project.workspaceRoot,
    isVerbose: false,
    projectName: 'backend',
    targetName: 'db-up',
    projectsConfigurations: {
      version: 2,
      projects: {
        backend: {
          root: 'apps/backend',
          targets: {
            'db-up': { executor: 'nx-typeorm-migrations:migrate' },
            'db-stamp': { executor: 'nx-typeorm-migrations:migrate-stamp' },
            'db-log': { executor: 'nx-typeorm-migrations:migrate-history' },
          },
        },
      },
    },
  } as unknown as ExecutorContext;
  return captured(env, () =>
    migrateExecutor(
      { dataSource: 'apps/backend/src/data-source.ts', migrationsDir: 'apps/backend/migrations/versions', ...options },
      context,
    ),
  );
}

function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = PASSWORD;
  return parsed.toString();
}

async function tablesOf(url: string): Promise<Record<string, unknown>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query("select tablename from pg_tables where schemaname = 'public' order by 1");
    const state: Record<string, unknown> = {};
    for (const { tablename } of tables.rows as Array<{ tablename: string }>) {
      state[tablename] = (await client.query(`select * from "${tablename}" order by 1`)).rows.map((row) =>
        Object.fromEntries(Object.entries(row).filter(([column]) => !['started_at', 'duration_ms', 'applied_by'].includes(column))),
      );
    }
    return state;
  } finally {
    await client.end();
  }
}

/** The tables with the tool's own empty ones (version, history, PGlite's lock row) left out. */
function withoutEmptyToolTables(tables: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(tables).filter(([table, rows]) => !(table.startsWith('nx_migrations_') && (rows as unknown[]).length === 0)),
  );
}

/** One sentence first, no stack trace, no password anywhere. */
function expectPlainReport(output: string, firstLine: RegExp): void {
  expect(output.split('\n').find((line) => !line.startsWith('Database: ') && line.trim() !== '')).toMatch(firstLine);
  expect(output).not.toMatch(/^\s+at /m);
  expect(output).not.toContain(PASSWORD);
  expect(output).not.toContain('Unexpected error');
}

describe.each(DATABASE_KINDS)('error reports on %s', (kind) => {
  let database: TestDatabase;
  let project: TestProject;
  let env: Record<string, string>;
  beforeEach(async () => {
    database = await createTestDatabase(kind);
    env = { DATABASE_URL: withPassword(database.url) };
    project = writeTestProject({ migrations: [FIRST] });
  });
  afterEach(async () => {
    project.remove();
    await database.drop();
  });

  it("reports a migration whose code throws after its first statement as that migration and that error, not 'in statement ROLLBACK'", async () => {
    expect((await cli(project, env, 'migrate', '--to=aaaa00000001')).code).toBe(0);
    writeThrowingMigration(project);
    const before = await tablesOf(database.url);

    const seen = await cli(project, env, 'migrate');
    expect(seen.code).toBe(1);
    expectPlainReport(
      seen.stderr,
      new RegExp(
        '^Upgrade to bbbb00000002 \\(apps/backend/migrations/versions/bbbb00000002_fill_settings\\.ts\\) failed: ' +
          "TypeError: Cannot read properties of undefined \\(reading 'count'\\), thrown by the migration's code after " +
          'statement CREATE TABLE "settings" \\("key" text PRIMARY KEY\\); it was rolled back and the migrations before ' +
          'it stay applied\\. Fix the migration and run nx-typeorm-migrations migrate again\\.$',
      ),
    );
    expect(seen.stderr).not.toContain('ROLLBACK');
    expect(await tablesOf(database.url)).toEqual(before);

    const nx = await nxMigrate(project, env);
    expect(nx.result).toEqual({ success: false });
    expectPlainReport(nx.stderr, /^Upgrade to bbbb00000002 .* Fix the migration and run nx run backend:db-up again\.$/);
    expect(nx.output).not.toMatch(/^\s+at /m);

    const json = await cli(project, env, 'migrate', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ success: false, code: 'MIGRATION_FAILED' });

    // --verbose: the stack of the TypeError, in the migration's own file.
    const verbose = await cli(project, env, 'migrate', '--verbose');
    expect(verbose.stderr).toMatch(/^TypeError: Cannot read properties of undefined \(reading 'count'\)\n\s+at .*bbbb00000002_fill_settings\.ts/m);
    expect(verbose.stderr).not.toContain(PASSWORD);
    expect(await tablesOf(database.url)).toEqual(before);
  });

  it("keeps PostgreSQL's hint in the report of a failed statement", async () => {
    project.writeMigration({
      revision: 'cccc00000002',
      downRevisions: ['aaaa00000001'],
      message: 'Call a function',
      up: ['SELECT nx_no_such_function(1)'],
      down: [],
    });
    const seen = await cli(project, env, 'migrate');
    expect(seen.code).toBe(1);
    expectPlainReport(
      seen.stderr,
      new RegExp(
        '^Upgrade to cccc00000002 \\(apps/backend/migrations/versions/cccc00000002_call_a_function\\.ts\\) failed: ' +
          'function nx_no_such_function\\(integer\\) does not exist \\(No function matches the given name and argument ' +
          'types\\. You might need to add explicit type casts\\) in statement SELECT nx_no_such_function\\(1\\); ',
      ),
    );
  });

  it('reports several heads with the merge and rebase commands of the route taken, touching nothing', async () => {
    project.writeMigration({ revision: 'cccc00000003', downRevisions: ['aaaa00000001'], message: 'Add posts', up: [], down: [] });
    project.writeMigration({ revision: 'dddd00000004', downRevisions: ['aaaa00000001'], message: 'Add tags', up: [], down: [] });
    const before = await tablesOf(database.url);
    const seen = await cli(project, env, 'migrate', '--json');
    expect(seen.code).toBe(1);
    expectPlainReport(seen.stderr, /^Project backend has 2 head revisions \(cccc00000003, dddd00000004\): /);
    expect(seen.stderr).toMatch(/^ {2}nx-typeorm-migrations merge --project-root=\S+ -m "Merge heads" +a merge revision over the heads$/m);
    expect(seen.stderr).not.toContain('nx g ');
    expect(JSON.parse(seen.stdout)).toMatchObject({ success: false, code: 'UNMERGED_HEADS' });
    const nx = await nxMigrate(project, env);
    expect(nx.result).toEqual({ success: false });
    expect(nx.stderr).toMatch(/^ {2}nx g nx-typeorm-migrations:merge --project=backend -m "Merge heads" +a merge revision over the heads$/m);
    expect(await tablesOf(database.url)).toEqual(before);
  });

  it('refuses a mistyped migrations folder naming it, instead of "Nothing to do: the database is already at base"', async () => {
    const before = await tablesOf(database.url);
    const typo = join(project.projectRoot, 'migrations', 'versoins');
    const seen = await cli(project, env, 'migrate', `--migrations-dir=${typo}`);
    expect(seen.code).toBe(1);
    expectPlainReport(
      seen.stderr,
      /^The migrations folder apps\/backend\/migrations\/versoins does not exist; correct migrationsDir \(the plugin option or --migrations-dir\), or create the first migration with nx-typeorm-migrations revision .* -m "\.\.\."\.$/,
    );
    expect(seen.stdout + seen.stderr).not.toContain('Nothing to do');

    const nx = await nxMigrate(project, env, { migrationsDir: 'apps/backend/migrations/versoins', json: true });
    expectPlainReport(nx.stderr, /^The migrations folder apps\/backend\/migrations\/versoins does not exist; /);
    expect(nx.result).toEqual({ success: false });
    expect(nx.output).toContain('or create the first migration with nx g nx-typeorm-migrations:migration --project=backend -m "...".');
    expect(nx.output).toContain('"code":"MIGRATIONS_FOLDER_NOT_FOUND"');
    expect(await tablesOf(database.url)).toEqual(before);
  });

  it('on a database with applied revisions: a missing versions folder is refused, and an emptied one names the folder looked in', async () => {
    expect((await cli(project, env, 'migrate')).code).toBe(0);
    const before = await tablesOf(database.url);
    const moved = `${project.migrationsDir}.moved`;
    renameSync(project.migrationsDir, moved);

    const missing = await cli(project, env, 'migrate');
    expect(missing.code).toBe(1);
    expectPlainReport(missing.stderr, /^The migrations folder apps\/backend\/migrations\/versions does not exist; /);

    mkdirSync(project.migrationsDir);
    const emptied = await cli(project, env, 'status');
    expect(emptied.code).toBe(1);
    expectPlainReport(
      emptied.stderr,
      /^The database records revision aaaa00000001 as applied, but no migration file in apps\/backend\/migrations\/versions has that revision id; restore its file or correct migrationsDir, or run nx-typeorm-migrations stamp .*--to=REV to record the revision the database really is at\.$/,
    );
    const nx = await nxMigrate(project, env);
    expect(nx.result).toEqual({ success: false });
    expect(nx.output).toContain('or run nx run backend:db-stamp --to=REV to record the revision');
    expect(await tablesOf(database.url)).toEqual(before);
  });

  it("words TypeORM's history that the imported revisions do not match, with the route's commands", async () => {
    const typeormProject = writeTypeormProject();
    try {
      await importTypeorm({
        projectName: 'backend',
        workspaceRoot: typeormProject.workspaceRoot,
        dataSourceFile: typeormProject.dataSourceFile,
        migrationsDir: typeormProject.migrationsDir,
      });
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query('CREATE TABLE "migrations" ("id" serial PRIMARY KEY, "timestamp" bigint NOT NULL, "name" varchar NOT NULL)');
        await client.query(`INSERT INTO "migrations" ("timestamp", "name") VALUES (1700000002000, 'CreateB1700000002000')`);
      } finally {
        await client.end();
      }
      const before = await tablesOf(database.url);
      const gap = await cli(typeormProject, env, 'migrate');
      expect(gap.code).toBe(1);
      expectPlainReport(
        gap.stderr,
        /^TypeORM's "migrations" table lists CreateB1700000002000 but not CreateA1700000001000, which runs before it; apply CreateA1700000001000 with TypeORM's CLI \(migration:run\) or record the right revision with nx-typeorm-migrations stamp .*--to=REV, then run nx-typeorm-migrations migrate again\.$/,
      );
      // Nothing recorded or run: at most the tool's own tables were created, empty.
      expect(withoutEmptyToolTables(await tablesOf(database.url))).toEqual(before);

      const client2 = new Client({ connectionString: database.url });
      await client2.connect();
      try {
        await client2.query(`INSERT INTO "migrations" ("timestamp", "name") VALUES (1600000000000, 'Gone1600000000000')`);
      } finally {
        await client2.end();
      }
      const unknown = await nxMigrate(typeormProject, env);
      expect(unknown.result).toEqual({ success: false });
      expectPlainReport(
        unknown.stderr,
        /^TypeORM's "migrations" table lists Gone1600000000000, which no revision was imported from; import them \(nx g nx-typeorm-migrations:import-typeorm --project=backend\) or remove the rows of migrations that no longer exist, then run nx run backend:db-up again\.$/,
      );
    } finally {
      typeormProject.remove();
    }
  });
});

/** A project whose data source lists two TypeORM class migrations (its `migrations` setting). */
function writeTypeormProject(extra: { dataSourceMigrations?: string; files?: Record<string, string> } = {}): TestProject {
  const migration = (name: string, table: string) => `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name} implements MigrationInterface {
  name = '${name}';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE "${table}" ("id" int)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "${table}"');
  }
}
`;
  const project = writeTestProject({
    dataSource: `import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { User } from './entities/user.entity';

export default new DataSource({
  type: 'postgres',
  entities: [User],
  migrations: ${extra.dataSourceMigrations ?? "[join(__dirname, 'migrations', '*.ts')]"},
});
`,
    files: {
      'src/migrations/1700000001000-CreateA.ts': migration('CreateA1700000001000', 'a'),
      'src/migrations/1700000002000-CreateB.ts': migration('CreateB1700000002000', 'b'),
      ...extra.files,
    },
  });
  writeFileSync(join(project.projectRoot, 'project.json'), JSON.stringify({ name: 'backend', root: 'apps/backend' }));
  return project;
}

describe('error reports of the generators (no database of the project involved)', () => {
  let project: TestProject;
  afterEach(() => project.remove());

  async function generator(run: (tree: FsTree) => Promise<unknown>): Promise<string> {
    const tree = new FsTree(project.workspaceRoot, false);
    const { result, output } = await captured({}, () => run(tree));
    expect(result).toBeInstanceOf(Error);
    const message = (result as Error).message;
    expect(message).not.toMatch(/^Unexpected error/);
    expect(`${message}\n${output}`).not.toContain(PASSWORD);
    expect(tree.listChanges()).toEqual([]);
    return message;
  }

  it('refuses to autogenerate from a data source that is not PostgreSQL, saying what to do', async () => {
    project = writeTypeormProject();
    writeFileSync(
      project.dataSourceFile,
      `import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { User } from './entities/user.entity';

export default new DataSource({ type: 'cockroachdb', timeTravelQueries: false, entities: [User] });
`,
    );
    const message = await generator((tree) => migrationGenerator(tree, { project: 'backend', message: 'Add users' }));
    expect(message).toBe(
      'Autogenerate compares entities with PostgreSQL only, and this data source is cockroachdb; point the data source ' +
        'at PostgreSQL to use nx g nx-typeorm-migrations:migration, or write the migration by hand with --empty.',
    );
  });

  it('names the shadow database server it could not use, without its password', async () => {
    project = writeTypeormProject();
    const message = await generator((tree) =>
      migrationGenerator(tree, {
        project: 'backend',
        message: 'Add users',
        shadowDatabaseUrl: `postgres://postgres:${PASSWORD}@127.0.0.1:1/postgres`,
      }),
    );
    expect(message).toMatch(
      /^Could not create a shadow database on postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:1\/postgres \(connect ECONNREFUSED 127\.0\.0\.1:1\); give its user CREATEDB, correct shadowDatabaseUrl \/ SHADOW_DATABASE_URL, or unset it to use an embedded database\.$/,
    );
  });

  it("import-typeorm: a TypeORM migration without a timestamp, and one no file exports, are named with the generator's command", async () => {
    project = writeTypeormProject({
      files: {
        'src/migrations/1700000003000-Seed.ts': `import { MigrationInterface, QueryRunner } from 'typeorm';

export class Seed implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('SELECT 1');
  }

  public async down(): Promise<void> {}
}
`,
      },
    });
    expect(await generator((tree) => importTypeormGenerator(tree, { project: 'backend' }))).toBe(
      'apps/backend/src/migrations/1700000003000-Seed.ts: the migration Seed has no JavaScript timestamp at the end of ' +
        'its name, so TypeORM cannot order it; rename it like AddUsers1700000000000 and run nx g ' +
        'nx-typeorm-migrations:import-typeorm again.',
    );

    project.remove();
    project = writeTypeormProject({
      dataSourceMigrations: `[join(__dirname, 'migrations', '*.ts'), class Inline1700000009000 {
    name = 'Inline1700000009000';
    async up(): Promise<void> {}
    async down(): Promise<void> {}
  }]`,
    });
    expect(await generator((tree) => importTypeormGenerator(tree, { project: 'backend' }))).toBe(
      'The TypeORM migration Inline1700000009000 is not exported by any file the data source loads; move it into a ' +
        'file of its own that exports the class, then run nx g nx-typeorm-migrations:import-typeorm again.',
    );
  });
});
