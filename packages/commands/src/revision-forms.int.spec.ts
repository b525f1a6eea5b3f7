import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import type { ExecutorContext } from '@nx/devkit';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../testing/src/databases';
import { REPOSITORY_ROOT, writeTestProject, type TestMigration, type TestProject } from '../../testing/src/projects';
import migrateExecutor from '../../nx/src/executors/migrate/executor';
import { toUserError } from './errors';
import { history } from './history';
import { migrate } from './migrate';
import { MemoryReporter } from './reporter';
import { stamp } from './stamp';

jest.setTimeout(180_000);

/**
 * The revision engine's forms on real databases, through the commands, the CLI and the migrate executor: two roots,
 * `lib: c1 -> c2 -> c3` and `app: a1 -> a2 -> a3`, `a2` depending on `c2` and `a3` on the label `lib`.
 */
const c = ['c1000001', 'c2000002', 'c3000003'];
const a = ['a1000001', 'a2000002', 'a3000003'];

function table(name: string): Pick<TestMigration, 'up' | 'down'> {
  return { up: [`CREATE TABLE ${name} (id serial PRIMARY KEY)`], down: [`DROP TABLE ${name}`] };
}

const MIGRATIONS: TestMigration[] = [
  { revision: c[0]!, downRevisions: [], message: 'lib 1', branchLabels: ['lib'], ...table('lib_1') },
  { revision: c[1]!, downRevisions: [c[0]!], message: 'lib 2', ...table('lib_2') },
  { revision: c[2]!, downRevisions: [c[1]!], message: 'lib 3', ...table('lib_3') },
  { revision: a[0]!, downRevisions: [], message: 'app 1', branchLabels: ['app'], ...table('app_1') },
  { revision: a[1]!, downRevisions: [a[0]!], dependsOn: [c[1]!], message: 'app 2', ...table('app_2') },
  { revision: a[2]!, downRevisions: [a[1]!], dependsOn: ['lib'], message: 'app 3', ...table('app_3') },
];

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

const sorted = (ids: readonly string[]) => [...ids].sort();

describe.each(DATABASE_KINDS)('revision forms on %s', (kind) => {
  let database: TestDatabase;
  let project: TestProject;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    project = writeTestProject({ migrations: MIGRATIONS });
  }, 60_000);
  afterAll(async () => {
    project?.remove();
    await database?.drop();
  }, 60_000);

  const rows = async () =>
    (await query<{ revision: string }>(database.url, 'SELECT revision FROM nx_migrations_version ORDER BY 1')).map(
      (row) => row.revision,
    );
  const tables = async () =>
    (
      await query<{ name: string }>(
        database.url,
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' " +
          "AND (table_name LIKE 'lib\\_%' OR table_name LIKE 'app\\_%') ORDER BY 1",
      )
    ).map((row) => row.name);

  /** Moves with `migrate`, then checks the migrations run, the version rows and the tables left. */
  async function move(to: string, expected: { steps: string[]; rows: string[]; tables: string[] }) {
    const result = await migrate(project.context({ DATABASE_URL: database.url }), { to }, new MemoryReporter());
    expect({ to, error: result.error, success: result.success }).toEqual({ to, error: undefined, success: true });
    expect(result.steps.map((step) => `${step.direction === 'up' ? '+' : '-'}${step.revision}`)).toEqual(expected.steps);
    expect(await rows()).toEqual(sorted(expected.rows));
    expect(await tables()).toEqual(expected.tables);
  }

  it('migrates with every new form, minimal downgrades and folded dependency rows', async () => {
    const all = ['app_1', 'app_2', 'app_3', 'lib_1', 'lib_2', 'lib_3'];
    await move('heads', {
      steps: [`+${a[0]}`, `+${c[0]}`, `+${c[1]}`, `+${a[1]}`, `+${a[2]}`, `+${c[2]}`],
      rows: [a[2]!, c[2]!],
      tables: all,
    });
    // Only c3 goes: c2 stays applied, so a2 and a3, which need it, stay too.
    await move('lib@-1', { steps: [`-${c[2]}`], rows: [a[2]!], tables: ['app_1', 'app_2', 'app_3', 'lib_1', 'lib_2'] });
    await move('lib@head', { steps: [`+${c[2]}`], rows: [a[2]!, c[2]!], tables: all });
    await move('app@head-2', { steps: [`-${a[2]}`, `-${a[1]}`], rows: [a[0]!, c[2]!], tables: ['app_1', 'lib_1', 'lib_2', 'lib_3'] });
    await move('app@base+2', { steps: [`+${a[1]}`], rows: [a[1]!, c[2]!], tables: ['app_1', 'app_2', 'lib_1', 'lib_2', 'lib_3'] });
    await move(`${c[2]}@-2`, {
      steps: [`-${c[2]}`, `-${a[1]}`, `-${c[1]}`],
      rows: [a[0]!, c[0]!],
      tables: ['app_1', 'lib_1'],
    });
    await move(`${a[2]}@base`, { steps: [`-${a[0]}`], rows: [c[0]!], tables: ['lib_1'] });
    await move(`app@${a[1]!.slice(0, 6)}`, { steps: [`+${a[0]}`, `+${c[1]}`, `+${a[1]}`], rows: [a[1]!], tables: ['app_1', 'app_2', 'lib_1', 'lib_2'] });
  });

  it('stamps several targets at once, exactly the revisions named, running nothing', async () => {
    const context = project.context({ DATABASE_URL: database.url });
    const before = await tables();
    const both = await stamp(context, { to: `${c[2]},${a[2]}` }, new MemoryReporter());
    expect(both.headsAfter).toEqual(sorted([a[2]!, c[2]!]));
    expect(await rows()).toEqual(sorted([a[2]!, c[2]!]));
    const one = await stamp(context, { to: c[1]! }, new MemoryReporter());
    expect(one.headsAfter).toEqual([c[1]!]);
    expect(await rows()).toEqual([c[1]!]);
    expect(await tables()).toEqual(before);
    const overlapping = await stamp(context, { to: `${c[1]},${a[2]}` }, new MemoryReporter()).catch((error: unknown) => error);
    expect(overlapping).toMatchObject({ code: 'OVERLAPPING_TARGETS', revision: a[2], overlaps: [c[1]] });
    expect(toUserError(overlapping).message).toContain(
      `Requested revision ${a[2]} overlaps with the other requested revision(s) ${c[1]}`,
    );
    // Back to what the database really holds.
    expect((await stamp(context, { to: a[1]! }, new MemoryReporter())).headsAfter).toEqual([a[1]!]);
  });

  it('history shows one revision and the branch points', async () => {
    const context = project.context({ DATABASE_URL: database.url });
    const shown = await history(context, { show: 'lib@head' }, new MemoryReporter());
    expect(shown.revisions.map((view) => view.revision)).toEqual([c[2]]);
    expect(shown.output).toContain(`Rev: ${c[2]} (head)`);
    const branches = await history(context, { branches: true }, new MemoryReporter());
    expect(branches.output).toBe('No branch points.');
  });

  it('the CLI takes the forms and several stamp targets', async () => {
    // Not spawnSync: the embedded database of the pglite kind is served by this process, which must keep answering.
    const cli = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['-r', '@swc-node/register', join(REPOSITORY_ROOT, 'packages/cli/src/main.ts'), ...args, `--project-root=${project.projectRoot}`],
          { cwd: REPOSITORY_ROOT, env: { ...process.env, DATABASE_URL: database.url }, encoding: 'utf8' },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
    const up = await cli('migrate', '--to=heads', '--json');
    expect(up.code).toBe(0);
    expect(await rows()).toEqual(sorted([a[2]!, c[2]!]));
    const stamped = await cli('stamp', `--to=${c[2]},${a[2]}`, '--json');
    expect(stamped.code).toBe(0);
    expect(JSON.parse(stamped.stdout).headsAfter).toEqual(sorted([a[2]!, c[2]!]));
    const overlapping = await cli('stamp', `--to=${c[1]},${a[2]}`);
    expect(overlapping.code).toBe(1);
    expect(overlapping.stderr).toContain(`Requested revision ${a[2]} overlaps`);
    const down = await cli('migrate', '--to=lib@-1', '--json');
    expect(down.code).toBe(0);
    expect(JSON.parse(down.stdout).steps.map((step: { revision: string }) => step.revision)).toEqual([c[2]]);
    const shown = await cli('history', `--show=${a[1]!.slice(0, 6)}`);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Depends on: ${c[1]}`);
    const bad = await cli('migrate', `--to=lib@${a[0]}`);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`Revision ${a[0]} is not on branch lib`);
  });

  it('nx run: the migrate executor takes LABEL@head-N with a real ExecutorContext', async () => {
    const context = {
      root: project.workspaceRoot,
      cwd: project.workspaceRoot,
      isVerbose: false,
      projectName: 'backend',
      projectsConfigurations: { version: 2, projects: { backend: { root: 'apps/backend' } } },
    } as unknown as ExecutorContext;
    const saved = process.env['DATABASE_URL'];
    process.env['DATABASE_URL'] = database.url;
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const result = await migrateExecutor(
        { dataSource: 'apps/backend/src/data-source.ts', migrationsDir: 'apps/backend/migrations/versions', to: 'heads' },
        context,
      );
      expect(result).toEqual({ success: true });
      expect(
        await migrateExecutor(
          { dataSource: 'apps/backend/src/data-source.ts', migrationsDir: 'apps/backend/migrations/versions', to: 'lib@head-1' },
          context,
        ),
      ).toEqual({ success: true });
    } finally {
      write.mockRestore();
      out.mockRestore();
      if (saved === undefined) delete process.env['DATABASE_URL'];
      else process.env['DATABASE_URL'] = saved;
    }
    expect(await rows()).toEqual([a[2]!]);
    expect(await tables()).toEqual(['app_1', 'app_2', 'app_3', 'lib_1', 'lib_2']);
  });
});
