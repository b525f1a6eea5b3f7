import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMigrationFile } from '../../core/src/migration-file';
import { planSteps } from '../../core/src/plan';
import { loadMigrationFunctions } from '../../adapters/src/fs/migration-directory';
import { chooseDatabase, loadDataSource, openDatabase } from '../../adapters/src/typeorm/data-source';
import { runSteps } from '../../adapters/src/typeorm/runner';
import { connectDataSourceTo, diffSchema } from '../../adapters/src/typeorm/schema-diff';
import { startShadowDatabase } from '../../adapters/src/typeorm/shadow';
import { PostgresVersionStore } from '../../adapters/src/typeorm/version-store';
import { createTestDatabase, DATABASE_KINDS, serverAdminUrl, type DatabaseKind } from '../../testing/src/databases';
import { linkTypeormLine, typeormLineUnderTest } from '../../testing/src/typeorm-legacy-project';
import { check, formatCheckLine, type CheckLine, type CheckOptions } from './check';
import { readProjectMigrations, type ProjectContext } from './context';
import { toUserError } from './errors';
import { merge } from './merge';
import { rebase } from './rebase';
import { MemoryReporter } from './reporter';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import type { ExecutorContext } from '@nx/devkit';
import migrateCheckExecutor from '../../nx/src/executors/migrate-check/executor';
import { mergeGenerator } from '../../nx/src/generators/merge/generator';
import { rebaseGenerator } from '../../nx/src/generators/rebase/generator';

/**
 * The team workflow for real: a git repository holding an Nx-style project with a TypeORM entity, two branches
 * that each add a migration, merged; then `check`, `merge`, `rebase` and the applied-checksum check on real
 * databases (the shadow database and the applied one are PostgreSQL server or PGlite, per kind).
 */

const ENTITY = `import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('items')
export class Item {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column()
  name!: string;
}
`;

const DATA_SOURCE = `import { DataSource } from 'typeorm';
import { Item } from './item.entity';

export default new DataSource({ type: 'postgres', url: process.env['DATABASE_URL'], entities: [Item] });
`;

const PROJECT = 'shop';
jest.setTimeout(180_000);
let baseUp: string[];
let baseDown: string[];

/** The entity's schema as TypeORM creates it, computed once, so the base migration matches the entities exactly. */
beforeAll(async () => {
  const root = newWorkspaceDir();
  try {
    writeProject(root);
    const dataSource = await loadDataSource(join(root, 'apps/shop/src/data-source.ts'));
    const shadow = await startShadowDatabase();
    try {
      const connected = await connectDataSourceTo(dataSource, shadow.url);
      const difference = await diffSchema(connected);
      await connected.destroy();
      baseUp = [...difference.up.map((statement) => statement.sql), 'CREATE TABLE "audit_log" ("at" timestamptz)'];
      baseDown = ['DROP TABLE "audit_log"', ...difference.down.map((statement) => statement.sql)];
    } finally {
      await shadow.dispose();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}, 60_000);

function newWorkspaceDir(): string {
  // Inside the repository so that the project's imports resolve to the workspace's node_modules (`typeorm` to the
  // line under test, linked by writeProject).
  const tmp = join(__dirname, '../../../tmp');
  mkdirSync(tmp, { recursive: true });
  return mkdtempSync(join(tmp, 'team-workflow-'));
}

function writeProject(root: string): void {
  mkdirSync(join(root, 'apps/shop/src'), { recursive: true });
  writeFileSync(join(root, 'nx.json'), '{}\n');
  writeFileSync(join(root, '.gitignore'), 'node_modules/\n');
  linkTypeormLine(root, typeormLineUnderTest());
  writeFileSync(join(root, 'apps/shop/project.json'), JSON.stringify({ name: PROJECT, root: 'apps/shop' }));
  mkdirSync(join(root, 'apps/shop/migrations/versions'), { recursive: true });
  writeFileSync(join(root, 'apps/shop/src/item.entity.ts'), ENTITY);
  writeFileSync(join(root, 'apps/shop/src/data-source.ts'), DATA_SOURCE);
}

interface Workspace {
  readonly root: string;
  readonly input: ProjectContext;
  readonly options: CheckOptions;
  git(args: readonly string[], author?: string, date?: string): string;
  addMigration(
    revision: string,
    downRevisions: readonly string[],
    message: string,
    up: string[],
    down: string[],
  ): string;
}

function createWorkspace(kind: DatabaseKind): Workspace {
  const root = newWorkspaceDir();
  writeProject(root);
  const migrationsDir = join(root, 'apps/shop/migrations/versions');
  const git = (args: readonly string[], author = 'Ada Lovelace', date = '2026-11-20T10:00:00Z'): string =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: author,
        GIT_AUTHOR_EMAIL: `${author.split(' ')[0].toLowerCase()}@example.com`,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: author,
        GIT_COMMITTER_EMAIL: 'ci@example.com',
        GIT_COMMITTER_DATE: date,
      },
    });
  git(['init', '-q', '-b', 'main']);
  return {
    root,
    git,
    input: {
      projectName: PROJECT,
      workspaceRoot: root,
      projectRoot: join(root, 'apps/shop'),
      migrationsDir,
      dataSourceFile: join(root, 'apps/shop/src/data-source.ts'),
      env: {},
    },
    // The audit_* tables are written by hand and no entity owns them: left out of the comparison, as a user would.
    options: { exclude: ['audit_*'], ...(kind === 'postgres' ? { shadowDatabaseUrl: serverAdminUrl() } : {}) },
    addMigration(revision, downRevisions, message, up, down) {
      const file = join(migrationsDir, `${revision}_${message.toLowerCase().replace(/\W+/g, '_')}.ts`);
      writeFileSync(
        file,
        renderMigrationFile({
          revision,
          downRevisions,
          message,
          createDate: new Date('2026-11-20T10:00:00Z'),
          up,
          down,
        }),
      );
      return file;
    },
  };
}

/**
 * main: the base migration. Two branches from it: feature-a (Ada) adds aaaa0001, feature-b (Grace, later) adds
 * bbbb0002; both are merged into main with git, which sees no conflict: they are different files.
 */
function twoBranchesMerged(kind: DatabaseKind): Workspace {
  const workspace = createWorkspace(kind);
  const { git } = workspace;
  workspace.addMigration('base0000', [], 'Create items', baseUp, baseDown);
  git(['add', '.']);
  git(['commit', '-q', '-m', 'items']);
  git(['checkout', '-q', '-b', 'feature-a']);
  workspace.addMigration(
    'aaaa0001',
    ['base0000'],
    'Add audit a',
    ['CREATE TABLE "audit_a" ("id" int)'],
    ['DROP TABLE "audit_a"'],
  );
  git(['add', '.']);
  git(['commit', '-q', '-m', 'audit a'], 'Ada Lovelace', '2026-11-21T10:00:00Z');
  git(['checkout', '-q', 'main']);
  git(['checkout', '-q', '-b', 'feature-b']);
  workspace.addMigration(
    'bbbb0002',
    ['base0000'],
    'Add audit b',
    ['CREATE TABLE "audit_b" ("id" int)'],
    ['DROP TABLE "audit_b"'],
  );
  git(['add', '.']);
  git(['commit', '-q', '-m', 'audit b'], 'Grace Hopper', '2026-11-22T10:00:00Z');
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', 'feature-a']);
  git(['merge', '-q', '--no-ff', '-m', 'merge feature-b', 'feature-b'], 'Grace Hopper', '2026-11-23T10:00:00Z');
  return workspace;
}

async function runCheck(input: ProjectContext, options: CheckOptions): Promise<readonly CheckLine[]> {
  const reporter = new MemoryReporter();
  const result = await check(input, options, reporter);
  expect(reporter.lines.filter((line) => /^[✔✖] /.test(line))).toEqual(result.checks.map(formatCheckLine));
  expect(result.success).toBe(result.checks.every((line) => line.passed));
  return result.checks;
}

function byName(lines: readonly CheckLine[]): Record<string, CheckLine> {
  return Object.fromEntries(lines.map((line) => [line.name, line]));
}

function expectAllPassed(lines: readonly CheckLine[]): void {
  expect(lines.filter((line) => !line.passed).map(formatCheckLine)).toEqual([]);
}

describe.each(DATABASE_KINDS)('team workflow (%s)', (kind) => {
  let workspace: Workspace | undefined;
  afterEach(() => {
    if (workspace) rmSync(workspace.root, { recursive: true, force: true });
    workspace = undefined;
  });

  it('two branches merged: check names both heads with their authors; merge makes it pass', async () => {
    workspace = twoBranchesMerged(kind);
    const before = byName(await runCheck(workspace.input, workspace.options));
    expect(before['one head'].passed).toBe(false);
    const report = before['one head'].detail;
    expect(report).toContain('Project shop has 2 head revisions (aaaa0001, bbbb0002)');
    expect(report).toMatch(
      /aaaa0001 +Add audit a +apps\/shop\/migrations\/versions\/aaaa0001_add_audit_a\.ts +\(Ada Lovelace/,
    );
    expect(report).toMatch(/bbbb0002 +Add audit b .*\(Grace Hopper <grace@example.com>, 2026-11-22\)/);
    expect(report).toContain('nx g nx-typeorm-migrations:merge --project=shop -m "Merge heads"');
    expect(before['stairway'].passed).toBe(true);

    const written = merge(workspace.input, { message: 'Merge audit tables' });
    expect(readProjectMigrations(workspace.input).graph.heads()).toEqual([written.revision]);
    const after = await runCheck(workspace.input, workspace.options);
    expectAllPassed(after);
    expect(byName(after)['one head'].detail).toBe(written.revision);
    expect(byName(after)['stairway'].detail).toBe(
      '4 migrations upgrade, downgrade and upgrade again; base leaves nothing behind',
    );
  });

  it('rebase: the newest branch moves on top of the other head, only its down revision changes; check passes', async () => {
    workspace = twoBranchesMerged(kind);
    const bFile = join(workspace.input.migrationsDir, 'bbbb0002_add_audit_b.ts');
    const original = readFileSync(bFile, 'utf8');
    const result = await rebase(workspace.input, {}, new MemoryReporter());
    expect(result).toMatchObject({ onto: 'aaaa0001', branch: 'bbbb0002', moved: ['bbbb0002'] });
    expect(result.databaseNote).toBe('no local database yet (embedded PostgreSQL in .nx-typeorm-migrations/shop)');
    expect(workspace.git(['diff', '--numstat'])).toBe('2\t2\tapps/shop/migrations/versions/bbbb0002_add_audit_b.ts\n');
    expect(readFileSync(bFile, 'utf8')).toBe(
      original
        .replace(
          "downRevision: string | readonly string[] | null = 'base0000'",
          "downRevision: string | readonly string[] | null = 'aaaa0001'",
        )
        .replace(' * Revises: base0000', ' * Revises: aaaa0001'),
    );
    expectAllPassed(await runCheck(workspace.input, workspace.options));
  });

  it('the migrate-check executor prints ✔/✖ lines and fails on two heads; the merge and rebase generators fix it', async () => {
    workspace = twoBranchesMerged(kind);
    const root = workspace.root;
    const context = {
      root,
      cwd: root,
      isVerbose: false,
      projectName: PROJECT,
      projectsConfigurations: { version: 2, projects: { [PROJECT]: { root: 'apps/shop' } } },
    } as unknown as ExecutorContext;
    const options = {
      dataSource: 'apps/shop/src/data-source.ts',
      migrationsDir: 'apps/shop/migrations/versions',
      ...workspace.options,
    };
    const output: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      output.push(String(chunk));
      return true;
    });
    try {
      expect(await migrateCheckExecutor(options, context)).toEqual({ success: false });
      expect(output.join('')).toMatch(/^✖ one head: Project shop has 2 head revisions \(aaaa0001, bbbb0002\)/m);
      expect(output.join('')).toMatch(/^✔ stairway: /m);

      const rebaseTree = new FsTree(root, false);
      await rebaseGenerator(rebaseTree, { project: PROJECT });
      flushChanges(root, rebaseTree.listChanges());
      output.length = 0;
      expect(await migrateCheckExecutor(options, context)).toEqual({ success: true });
      expect(
        output
          .join('')
          .trim()
          .split('\n')
          .filter((line) => !line.startsWith('    ')) // the lint's warnings (a serial key), indented under its line
          .map((line) => line.slice(0, 2)),
      ).toEqual(['✔ ', '✔ ', '✔ ', '✔ ', '✔ ']);
    } finally {
      write.mockRestore();
    }

    workspace.git(['checkout', '-q', '--', '.']);
    const mergeTree = new FsTree(root, false);
    await mergeGenerator(mergeTree, { project: PROJECT, message: 'Merge audit tables', revId: 'ffff0009' });
    flushChanges(root, mergeTree.listChanges());
    expect(readProjectMigrations(workspace.input).graph.heads()).toEqual(['ffff0009']);
    await expect(mergeGenerator(new FsTree(root, false), { project: PROJECT, message: 'Again' })).rejects.toThrow(
      'Project shop has a single head (ffff0009); there is nothing to merge.',
    );
  });

  it('rebase refuses a revision the database records as applied, and an edited applied migration fails the check', async () => {
    workspace = twoBranchesMerged(kind);
    const database = await createTestDatabase(kind);
    try {
      const input = { ...workspace.input, env: { DATABASE_URL: database.url } };
      await applyAll(input);
      const applied = byName(await runCheck(input, workspace.options));
      expect(applied['applied migrations unchanged']).toMatchObject({ passed: true });
      expect(applied['applied migrations unchanged'].detail).toMatch(/^3 applied, checksums match/);

      const refused = await rebase(input, { branch: 'bbbb0002' }, new MemoryReporter()).catch((error: unknown) => error);
      expect(toUserError(refused, input).message).toMatch(
        /^Revision bbbb0002 is applied to .*, so it cannot be re-parented; downgrade it first \(nx run shop:migrate --to=bbbb0002-1\)/,
      );
      expect(workspace.git(['status', '--porcelain'])).toBe('');

      const aFile = join(input.migrationsDir, 'aaaa0001_add_audit_a.ts');
      writeFileSync(aFile, readFileSync(aFile, 'utf8').replace('("id" int)', '("id" bigint)'));
      const edited = byName(await runCheck(input, workspace.options))['applied migrations unchanged'];
      expect(edited.passed).toBe(false);
      expect(edited.detail).toMatch(
        /^aaaa0001 \(apps\/shop\/migrations\/versions\/aaaa0001_add_audit_a\.ts\) changed after it was applied to /,
      );
      expect(edited.detail).not.toMatch(/:[^@/]*@/);
    } finally {
      await database.drop();
    }
  });

  it('a risky migration on a branch fails lint with its rule id, and passes once allowed', async () => {
    workspace = createWorkspace(kind);
    workspace.addMigration('base0000', [], 'Create items', baseUp, baseDown);
    workspace.git(['add', '.']);
    workspace.git(['commit', '-q', '-m', 'items']);
    workspace.git(['checkout', '-q', '-b', 'feature']);
    const risky = workspace.addMigration(
      'cccc0003',
      ['base0000'],
      'Index audit log',
      ['CREATE INDEX "IDX_audit_at" ON "audit_log" ("at")'],
      ['DROP INDEX "IDX_audit_at"'],
    );
    const input = workspace.input;
    const options = { ...workspace.options, base: 'main' };
    const lint = byName(await runCheck(input, options))['lint'];
    expect(lint.passed).toBe(false);
    expect(lint.detail).toContain('1 migration (migrations changed since main), 1 risky statement(s)');
    expect(lint.detail).toMatch(
      /apps\/shop\/migrations\/versions\/cccc0003_index_audit_log\.ts:\d+ PG001 index created without CONCURRENTLY/,
    );

    writeFileSync(
      risky,
      readFileSync(risky, 'utf8').replace(
        '  await queryRunner.query(`CREATE INDEX',
        '  // migrate-check-allow PG001: audit_log is empty in every environment\n  await queryRunner.query(`CREATE INDEX',
      ),
    );
    const allowed = await runCheck(input, options);
    expectAllPassed(allowed);
    expect(byName(allowed)['lint'].detail).toBe('1 migration (migrations changed since main), no risky SQL');
  });
});

/** Applies every migration with the real step runner and version store, as `migrate` does. */
async function applyAll(input: ProjectContext): Promise<void> {
  const { graph, files } = readProjectMigrations(input);
  const dataSource = await loadDataSource(input.dataSourceFile);
  const target = chooseDatabase({ ...input, dataSource });
  const database = await openDatabase({ ...input, dataSource }, target, { timeoutMs: 30_000 });
  try {
    const store = new PostgresVersionStore(database.queryRunner);
    await store.ensureTables();
    const result = await runSteps({
      steps: planSteps(graph, [], 'heads'),
      migrations: new Map(files.map((migration) => [migration.revision, migration])),
      queryRunner: database.queryRunner,
      store,
      load: loadMigrationFunctions,
      appliedBy: 'test@host',
      toolVersion: '0.0.0',
    });
    if (result.failure) throw result.failure;
  } finally {
    await database.close();
  }
}
