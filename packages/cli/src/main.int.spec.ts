import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../testing/src/databases';
import { linearMigrations, REPOSITORY_ROOT, writeTestProject, type TestProject } from '../../testing/src/projects';

jest.setTimeout(120_000);

/** The CLI as users and benchmarks run it: a process, from source. */
function cli(project: TestProject, env: Record<string, string>, ...args: string[]) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!env['DATABASE_URL']) delete childEnv['DATABASE_URL'];
  const result = spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', join(REPOSITORY_ROOT, 'packages/cli/src/main.ts'), ...args, `--project-root=${project.projectRoot}`],
    { cwd: REPOSITORY_ROOT, env: childEnv, encoding: 'utf8' },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// postgres: the server through DATABASE_URL; pglite: nothing configured, so the project's embedded database.
describe.each(DATABASE_KINDS)('nx-typeorm-migrations on %s', (kind) => {
  let database: TestDatabase | undefined;
  let project: TestProject;
  let env: Record<string, string>;
  beforeAll(async () => {
    project = writeTestProject({ migrations: linearMigrations(3, 'cli') });
    if (kind === 'postgres') database = await createTestDatabase(kind);
    env = database ? { DATABASE_URL: database.url } : {};
  });
  afterAll(async () => {
    project.remove();
    await database?.drop();
  });

  it('migrates with --json: one JSON document on stdout, the rest on stderr', () => {
    const result = cli(project, env, 'migrate', '--to=head', '--json');
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ success: true, target: 'head', headsBefore: [] });
    expect(document.steps).toHaveLength(3);
    expect(result.stderr).toMatch(/↑ \w{12} {2}Create t_1 {2}\(\d+ ms\)/);
    if (kind === 'pglite') {
      expect(result.stderr).toContain('Database: embedded PostgreSQL in .nx-typeorm-migrations/backend');
      expect(existsSync(join(project.workspaceRoot, '.nx-typeorm-migrations', 'backend'))).toBe(true);
    } else {
      expect(result.stderr).toContain('(DATABASE_URL)');
    }
  });

  it('exits 1 from status --check-heads only when the database is behind', () => {
    expect(cli(project, env, 'status', '--check-heads').code).toBe(0);
    const down = cli(project, env, 'migrate', '--to=-1');
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/↓ \w{12} {2}Create t_3/);
    const behind = cli(project, env, 'status', '--check-heads');
    expect(behind.code).toBe(1);
    expect(behind.stdout).toContain('At head: no');
    expect(behind.stderr).toContain('1 migration(s) pending');
  });

  it('shows the history as mermaid with the current revision marked', () => {
    const result = cli(project, env, 'history', '--format=mermaid');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('flowchart BT');
    expect(result.stdout).toMatch(/class r_\w{12} current/);
    expect(result.stdout).not.toContain('Database:');
    expect(result.stderr).toContain('Database:');
  });

  it('prints history --format=json as one JSON document on stdout, for jq', () => {
    const result = cli(project, env, 'history', '--format=json');
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(JSON.stringify(document)).toContain('Create t_1');
    expect(result.stderr).toContain('Database:');
  });

  it('exits 2 on bad usage and 1 on a bad target, with one line and no stack', () => {
    const usage = cli(project, env, 'migrate', '--frobnicate');
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim()).toMatch(/^Unknown option '--frobnicate'; migrate takes --project-root, --data-source, .*--to, --sql, /);
    // A --to that does not parse is bad usage too, found before any database is touched.
    const target = cli(project, env, 'migrate', '--to=nonsense!');
    expect(target.code).toBe(2);
    expect(target.stderr.trim().split('\n')).toHaveLength(1);
    expect(target.stderr).toContain("'nonsense!' is not a valid target");
  });
});
