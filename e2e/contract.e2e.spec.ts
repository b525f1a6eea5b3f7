import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../packages/testing/src/databases';

/**
 * One contract for every way in, held case by case: each case runs through the real `nx run` / `nx g` of a
 * workspace made from the packed plugin, and through the CLI (`nx-typeorm-migrations <verb>`), each route on a
 * PostgreSQL database of its own standing at revision 0001. Both routes must agree on the exit code class (the CLI
 * exits 2 for bad usage, `nx run` and `nx g` exit 1 for every failure: Nx's own rule), on the first line of the
 * message, and on where the database ends up (read from the version table). One workspace serves every case.
 */
const NX_VERSION = process.env['E2E_NX_VERSION'] ?? '23.2.1';
const root = join(__dirname, '..');

jest.setTimeout(600_000);

const REVISIONS = ['0001', '0002', '0003', '0004', '1234abcd5678'] as const;

type Outcome = 'done' | 'problem' | 'usage';

interface ContractCase {
  readonly name: string;
  /** `nx` arguments, e.g. `['run', 'db:migrate', '--to=0002']`. */
  readonly nx: readonly string[];
  /** CLI arguments after the bin; `--project-root=packages/db` is added. */
  readonly cli: readonly string[];
  readonly outcome: Outcome;
  /** The first line of the message on stderr (the CLI's first line; Nx's output must hold the same line). */
  readonly firstLine?: string | RegExp;
  /** The version table afterwards (the database starts at 0001). */
  readonly heads: readonly string[];
}

const migrate = (...args: string[]): Pick<ContractCase, 'nx' | 'cli'> => ({ nx: ['run', 'db:migrate', ...args], cli: ['migrate', ...args] });

const CASES: readonly ContractCase[] = [
  { name: '--dry-run is refused', ...migrate('--dry-run'), outcome: 'usage', firstLine: "Unknown option '--dry-run'; --sql prints the SQL of the move without running it.", heads: ['0001'] },
  { name: '--sq is refused, naming --sql', ...migrate('--sq'), outcome: 'usage', firstLine: "Unknown option '--sq'; did you mean '--sql'?", heads: ['0001'] },
  { name: '--too=head is refused, naming --to', ...migrate('--too=head'), outcome: 'usage', firstLine: "Unknown option '--too'; did you mean '--to'?", heads: ['0001'] },
  { name: 'a positional argument is refused', ...migrate('head'), outcome: 'usage', firstLine: "Unexpected argument 'head' (for a target: --to=head); migrate takes options only (--name=value).", heads: ['0001'] },
  { name: '--to=0002 is the revision 0002', ...migrate('--to=0002'), outcome: 'done', heads: ['0002'] },
  { name: '--to=1234, an all-digit prefix, is that revision', ...migrate('--to=1234'), outcome: 'done', heads: ['1234abcd5678'] },
  { name: '--to=+1 is one step up', ...migrate('--to=+1'), outcome: 'done', heads: ['0002'] },
  { name: '--to=-1 is one step down', ...migrate('--to=-1'), outcome: 'done', heads: [] },
  { name: '--to=head-1, an Alembic form, is one below head', ...migrate('--to=head-1'), outcome: 'done', heads: ['0004'] },
  { name: '--to=base+2 is two above base', ...migrate('--to=base+2'), outcome: 'done', heads: ['0002'] },
  { name: '--to=0004-1 is one below 0004', ...migrate('--to=0004-1'), outcome: 'done', heads: ['0003'] },
  { name: '--to= is refused', ...migrate('--to='), outcome: 'usage', firstLine: '--to needs a value: --to=REV.', heads: ['0001'] },
  { name: '--to=+0 is refused', ...migrate('--to=+0'), outcome: 'usage', firstLine: /^--to=\+0: '\+0' is not a valid target/, heads: ['0001'] },
  { name: '--to=-0 is refused', ...migrate('--to=-0'), outcome: 'usage', firstLine: /^--to=-0: '-0' is not a valid target/, heads: ['0001'] },
  { name: 'a malformed --to is bad usage', ...migrate('--to=nonsense!'), outcome: 'usage', firstLine: /^--to=nonsense!: 'nonsense!' is not a valid target/, heads: ['0001'] },
  { name: '--lock-timeout=abc is refused', ...migrate('--lock-timeout=abc'), outcome: 'usage', firstLine: '--lock-timeout=abc is not a number of seconds (0 or more).', heads: ['0001'] },
  { name: '--from without --sql is refused', ...migrate('--from=base'), outcome: 'usage', firstLine: /^--from only goes with --sql/, heads: ['0001'] },
  { name: 'an unknown revision is a problem to fix', ...migrate('--to=ffff'), outcome: 'problem', firstLine: /^No revision or branch label matches 'ffff'; run (nx run db:migrate-history|nx-typeorm-migrations history --project-root=packages\/db) to list/, heads: ['0001'] },
  { name: 'an option of another verb is named as such', nx: ['run', 'db:migrate-status', '--purge'], cli: ['status', '--purge'], outcome: 'usage', firstLine: "Unknown option '--purge' for status; it belongs to stamp.", heads: ['0001'] },
  { name: 'history --format=xml is refused', nx: ['run', 'db:migrate-history', '--format=xml'], cli: ['history', '--format=xml'], outcome: 'usage', firstLine: '--format=xml is not known; use one of text, graph, mermaid, json.', heads: ['0001'] },
  { name: 'stamp without --to is refused', nx: ['run', 'db:migrate-stamp'], cli: ['stamp'], outcome: 'usage', firstLine: 'stamp needs --to=REV|head|heads|base.', heads: ['0001'] },
  { name: 'stamp --to=0003 records 0003', nx: ['run', 'db:migrate-stamp', '--to=0003'], cli: ['stamp', '--to=0003'], outcome: 'done', heads: ['0003'] },
  { name: 'stamp --to=head-2 records 0003', nx: ['run', 'db:migrate-stamp', '--to=head-2'], cli: ['stamp', '--to=head-2'], outcome: 'done', heads: ['0003'] },
  { name: 'a mistyped generator option is refused', nx: ['g', 'migration', '--project=db', '-m', 'x', '--rev-idd=1'], cli: ['revision', '-m', 'x', '--rev-idd=1'], outcome: 'usage', firstLine: "Unknown option '--rev-idd'; did you mean '--rev-id'?", heads: ['0001'] },
];

function migrationFile(revision: string, down: string | undefined, table: string): string {
  return [
    "import type { QueryRunner } from 'typeorm';",
    `export const revision = '${revision}';`,
    `export const downRevision: string | null = ${down ? `'${down}'` : 'null'};`,
    `export const message = 'Create ${table}';`,
    'export async function up(queryRunner: QueryRunner): Promise<void> {',
    `  await queryRunner.query('CREATE TABLE IF NOT EXISTS ${table} (id serial PRIMARY KEY)');`,
    '}',
    'export async function down(queryRunner: QueryRunner): Promise<void> {',
    `  await queryRunner.query('DROP TABLE IF EXISTS ${table}');`,
    '}',
    '',
  ].join('\n');
}

async function versionRows(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ revision: string }>('SELECT revision FROM nx_migrations_version ORDER BY revision');
    return rows.map((row) => row.revision);
  } finally {
    await client.end();
  }
}

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe(`the contract of every way in, on a workspace of Nx ${NX_VERSION}`, () => {
  let workspace: string;
  const databases: Record<'nx' | 'cli', TestDatabase | undefined> = { nx: undefined, cli: undefined };
  let loaded: TestDatabase | undefined;

  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(workspace, file)), { recursive: true });
    writeFileSync(join(workspace, file), text);
  };
  const run = (command: string, args: readonly string[], env: Record<string, string> = {}): RunResult => {
    const result = spawnSync(command, args, {
      cwd: workspace,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_INTERACTIVE: 'false', CI: 'true', ...env },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  /** The same as `run`, without blocking: the two routes of a case run side by side. */
  const start = (command: string, args: readonly string[], env: Record<string, string>): Promise<RunResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: workspace,
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_INTERACTIVE: 'false', CI: 'true', ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const nxBin = () => join(workspace, 'node_modules/.bin/nx');
  const cliBin = () => join(workspace, 'node_modules/.bin/nx-typeorm-migrations');
  const nx = (args: readonly string[], url: string) => run(nxBin(), args, { DATABASE_URL: url });
  const cli = (args: readonly string[], url: string) => run(cliBin(), [...args, '--project-root=packages/db'], { DATABASE_URL: url });
  const must = (result: RunResult) => {
    if (result.code !== 0) throw new Error(`exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
    return result;
  };
  /** Puts the database at 0001 (nothing to do when it is there; the migrations tolerate a stamped database). */
  const reset = async (url: string) => {
    if ((await versionRows(url)).join() !== '0001') {
      must(await start(cliBin(), ['migrate', '--to=0001', '--project-root=packages/db'], { DATABASE_URL: url }));
    }
  };

  beforeAll(async () => {
    const tarball = execFileSync(process.execPath, [join(root, 'tools/build.mjs')], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!;
    workspace = mkdtempSync(join(tmpdir(), 'ntm-e2e-contract-'));
    [databases.nx, databases.cli] = await Promise.all([createTestDatabase('postgres'), createTestDatabase('postgres')]);
    write(
      'package.json',
      JSON.stringify({
        name: 'contract',
        private: true,
        devDependencies: { nx: NX_VERSION, '@nx/devkit': NX_VERSION, typeorm: '1.1.1', pg: '8.23.1', 'nx-typeorm-migrations': `file:${tarball}` },
      }),
    );
    write('nx.json', JSON.stringify({ neverConnectToCloud: true, plugins: [{ plugin: 'nx-typeorm-migrations', options: {} }] }));
    write('packages/db/project.json', JSON.stringify({ name: 'db', targets: {} }));
    write(
      'packages/db/src/data-source.ts',
      "import { DataSource } from 'typeorm';\nexport default new DataSource({ type: 'postgres', url: process.env['DATABASE_URL'], entities: [] });\n",
    );
    REVISIONS.forEach((revision, index) =>
      write(`packages/db/migrations/versions/${revision}_create_t${index + 1}.ts`, migrationFile(revision, REVISIONS[index - 1], `t${index + 1}`)),
    );
    must(run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']));
    for (const database of [databases.nx!, databases.cli!]) must(cli(['migrate', '--to=0001'], database.url));
  });

  afterAll(async () => {
    await Promise.all([databases.nx?.drop(), databases.cli?.drop(), loaded?.drop()]);
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it.each(CASES.map((each) => [each.name, each] as const))('%s', async (_, each) => {
    await Promise.all([reset(databases.nx!.url), reset(databases.cli!.url)]);
    const [viaNx, viaCli] = await Promise.all([
      start(nxBin(), each.nx, { DATABASE_URL: databases.nx!.url }),
      start(cliBin(), [...each.cli, '--project-root=packages/db'], { DATABASE_URL: databases.cli!.url }),
    ]);
    const nxOutput = `${viaNx.stdout}\n${viaNx.stderr}`;
    // Nx exits 1 whenever an executor or a generator fails, bad usage included; the CLI tells the two apart.
    expect({ cli: viaCli.code, nx: viaNx.code }).toEqual(
      each.outcome === 'done' ? { cli: 0, nx: 0 } : { cli: each.outcome === 'usage' ? 2 : 1, nx: 1 },
    );
    if (each.firstLine !== undefined) {
      const expected = typeof each.firstLine === 'string' ? new RegExp(`^${escape(each.firstLine)}$`) : each.firstLine;
      const firstLine = viaCli.stderr.split('\n')[0]!;
      expect(firstLine).toMatch(expected);
      // Bad usage is worded before any route matters: the same line. A problem to fix names the next command the
      // way the user types it on that route (nx run db:migrate-history, nx-typeorm-migrations history).
      if (each.outcome === 'usage') expect(nxOutput).toContain(firstLine);
      else expect(nxOutput.split('\n').some((line) => expected.test(line.replace(/\u001b\[[0-9;]*m/g, '').trim()))).toBe(true);
    }
    expect(await versionRows(databases.nx!.url)).toEqual(each.heads);
    expect(await versionRows(databases.cli!.url)).toEqual(each.heads);
  });

  it('nx g migration --rev-id=123456789012 writes that revision, and the CLI builds on it with --head=123456789012', () => {
    const versions = join(workspace, 'packages/db/migrations/versions');
    try {
      must(nx(['g', 'migration', '--project=db', '-m', 'Digits', '--empty', '--rev-id=123456789012', '--no-interactive'], databases.nx!.url));
      must(cli(['revision', '-m', 'More digits', '--empty', '--rev-id=000000000013', '--head=123456789012'], databases.cli!.url));
      expect(readFileSync(join(versions, '123456789012_digits.ts'), 'utf8')).toContain("export const revision = '123456789012';");
      expect(readFileSync(join(versions, '000000000013_more_digits.ts'), 'utf8')).toMatch(/export const downRevision\b.* = '123456789012';/);
    } finally {
      rmSync(join(versions, '123456789012_digits.ts'), { force: true });
      rmSync(join(versions, '000000000013_more_digits.ts'), { force: true });
    }
  });

  it('--output=FILE holds exactly the SQL script, which psql loads, and exactly the JSON document', async () => {
    must(nx(['run', 'db:migrate', '--sql', '--from=base', '--output=schema.sql'], databases.nx!.url));
    const viaCli = must(cli(['migrate', '--sql', '--from=base'], databases.cli!.url));
    const script = readFileSync(join(workspace, 'schema.sql'), 'utf8');
    expect(viaCli.stdout).toBe(script);
    expect(script).not.toMatch(/NX|Successfully ran|Database:/);
    loaded = await createTestDatabase('postgres');
    execFileSync('psql', ['-v', 'ON_ERROR_STOP=1', '-q', '-f', join(workspace, 'schema.sql'), loaded.url], { encoding: 'utf8' });
    expect(await versionRows(loaded.url)).toEqual(['1234abcd5678']);

    must(nx(['run', 'db:migrate-status', '--json', '--output=status.json'], databases.nx!.url));
    const document = JSON.parse(readFileSync(join(workspace, 'status.json'), 'utf8'));
    expect(document).toMatchObject({ success: true });
    expect(JSON.parse(must(cli(['status', '--json'], databases.cli!.url)).stdout)).toMatchObject({ success: true });
    expect(existsSync(join(workspace, 'status.json'))).toBe(true);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
