import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ADVISORY_LOCK_KEY } from '../../../adapters/src/typeorm/lock';
import { mapLimit, runCli, stackFrames, type CliResult } from './cli-process';
import {
  createServerDatabase,
  databaseState,
  withClient,
  withPassword,
  writeFaultProject,
  type DatabaseState,
  type FaultProject,
  type MigrationSpec,
} from './fault-project';
import { startPasswordServer, type PasswordServer } from './password-server';

/**
 * Bad input of every kind a user can produce: each case must give one clear message naming what is wrong, exit
 * non-zero, show no stack trace (that needs --verbose), never show a password, and leave the database exactly as
 * it was (schema, version rows and history rows compared before and after). Every case runs in a database of its
 * own, copied from a template at revision R3 of six, with a password in DATABASE_URL that must never be printed.
 * PostgreSQL server only (plus a private password-protected cluster for the wrong-password case).
 */
const PASSWORD = 'Pw-must-never-show-7d1';
const R = ['aaaa11110001', 'aaaa22220002', 'bbbb33330003', 'cccc44440004', 'dddd55550005', 'eeee66660006'] as const;
const [R1, R2, R3, R4, R5, R6] = R;

function baseMigrations(): MigrationSpec[] {
  return R.map((revision, index) => ({
    revision,
    downRevisions: index === 0 ? [] : [R[index - 1]!],
    message: `Create b_${index + 1}`,
    up: [`CREATE TABLE b_${index + 1} (id serial PRIMARY KEY, name text NOT NULL)`],
    down: [`DROP TABLE b_${index + 1}`],
  }));
}

/** The base chain with one migration changed. */
function changed(revision: string, change: Partial<MigrationSpec>): MigrationSpec[] {
  return baseMigrations().map((m) => (m.revision === revision ? { ...m, ...change } : m));
}

interface CaseContext {
  readonly project: FaultProject;
  /** The case's own database, with PASSWORD in it. */
  readonly url: string;
  readonly passwordServer: PasswordServer;
}

interface BadInputCase {
  readonly name: string;
  /** CLI arguments; `--project-root` is added unless given. */
  readonly args: readonly string[];
  /** What the one message must say. */
  readonly message: RegExp;
  readonly migrations?: MigrationSpec[];
  /** Changes to the project's files after it is written. */
  readonly edit?: (project: FaultProject) => void;
  /** DATABASE_URL for the run (default: the case's database); `null` for none. */
  readonly databaseUrl?: (context: CaseContext) => string | null;
  /** Changes to the database before the "unchanged" snapshot. */
  readonly prepare?: (client: Client) => Promise<void>;
  /** Something held while the command runs (the lock); returns its release. */
  readonly hold?: (url: string) => Promise<() => Promise<void>>;
  /** Passwords that must not be printed, beyond PASSWORD. */
  readonly secrets?: (context: CaseContext) => string[];
}

const migrate = (...args: string[]) => ['migrate', ...args];
const moveToHead = migrate('--to=head');
const BAD_FILE_TEXT = 'export const revision = ;\nthis is not TypeScript {\n';

const CASES: BadInputCase[] = [
  // --to and other options
  {
    name: 'target with characters outside the grammar',
    args: migrate('--to=nonsense!'),
    message: /'nonsense!' is not a valid target/,
  },
  {
    name: 'unknown revision prefix',
    args: migrate('--to=ffff'),
    message: /No revision or branch label matches 'ffff'/,
  },
  {
    name: 'revision prefix shorter than 4 characters',
    args: migrate('--to=abc'),
    message: /'abc'.*at least 4 characters/,
  },
  { name: 'ambiguous revision prefix', args: migrate('--to=aaaa'), message: /'aaaa' matches 2 revisions/ },
  { name: 'relative step past head', args: migrate('--to=+10'), message: /Cannot move 10 up from bbbb33330003/ },
  { name: 'relative step below base', args: migrate('--to=-10'), message: /Cannot move 10 down from bbbb33330003/ },
  {
    name: 'revision-relative step past head',
    args: migrate(`--to=${R5}+5`),
    message: /Cannot move 5 up from dddd55550005/,
  },
  { name: 'unknown branch label', args: migrate('--to=nolabel@head'), message: /nolabel/ },
  { name: 'empty target', args: migrate('--to='), message: /--to|target/i },
  { name: 'malformed relative step', args: migrate(`--to=${R3}+x`), message: /is not a valid target/ },
  { name: 'zero step', args: migrate('--to=+0'), message: /'\+0' is not a valid target/ },
  {
    name: 'non-numeric --lock-timeout',
    args: migrate('--to=head', '--lock-timeout=abc'),
    message: /--lock-timeout.*abc|abc.*--lock-timeout/,
  },
  { name: 'negative --lock-timeout', args: migrate('--to=head', '--lock-timeout=-5'), message: /--lock-timeout/ },
  { name: 'unknown option', args: migrate('--to=head', '--frobnicate'), message: /--frobnicate/ },
  { name: 'unknown command', args: ['migrat', '--to=head'], message: /migrat\b/ },
  {
    name: 'project root that does not exist',
    args: ['migrate', '--project-root=/nonexistent/project', '--to=head'],
    message: /\/nonexistent\/project/,
  },
  { name: 'unknown history format', args: ['history', '--format=xml'], message: /xml/ },
  { name: 'malformed history range', args: ['history', '--range=oops'], message: /oops|--range/ },
  { name: 'history range with an unknown revision', args: ['history', '--range=ffff:head'], message: /ffff/ },
  {
    name: 'stamp to an unknown revision',
    args: ['stamp', '--to=ffff'],
    message: /No revision or branch label matches 'ffff'/,
  },
  { name: '--sql from an unknown revision', args: migrate('--sql', '--from=ffff', '--to=head'), message: /ffff/ },

  // the revision graph
  { name: 'cycle', args: moveToHead, migrations: changed(R1, { downRevisions: [R6] }), message: /cycle/ },
  {
    name: 'two files with the same revision id',
    args: moveToHead,
    migrations: [...baseMigrations(), { revision: R4, downRevisions: [R6], message: 'Copy of b_4', up: [], down: [] }],
    message: /cccc44440004 is (used by more than one migration|declared by both)/,
  },
  {
    name: 'missing parent',
    args: moveToHead,
    migrations: changed(R4, { downRevisions: ['999999999999'] }),
    message: /999999999999/,
  },
  {
    name: 'revision that is its own parent',
    args: moveToHead,
    migrations: changed(R5, { downRevisions: [R5] }),
    message: /dddd55550005 lists itself/,
  },
  {
    name: 'several heads and --to=head',
    args: moveToHead,
    migrations: [
      ...baseMigrations(),
      { revision: 'ffff77770007', downRevisions: [R5], message: 'Branch', up: [], down: [] },
    ],
    message: /head revisions.*(eeee66660006, ffff77770007|ffff77770007, eeee66660006)/i,
  },
  {
    name: 'dependency on a missing revision',
    args: moveToHead,
    migrations: changed(R6, { dependsOn: ['777777777777'] }),
    message: /777777777777/,
  },
  {
    name: 'one branch label on two revisions',
    args: moveToHead,
    migrations: baseMigrations().map((m) =>
      m.revision === R5 || m.revision === R6 ? { ...m, branchLabels: ['core'] } : m,
    ),
    message: /core/,
  },

  // migration files
  {
    name: 'invalid revision id in a file',
    args: moveToHead,
    edit: (p) =>
      p.write(
        'migrations/versions/bad_id.ts',
        `export const revision = 'bad-id!';\nexport const downRevision = null;\nexport const message = 'x';\n`,
      ),
    message: /bad_id\.ts/,
  },
  {
    name: 'file without a revision export',
    args: moveToHead,
    edit: (p) =>
      p.write('migrations/versions/no_revision.ts', `export const message = 'x';\nexport async function up() {}\n`),
    message: /no_revision\.ts/,
  },
  {
    name: 'metadata that is not a literal',
    args: moveToHead,
    edit: (p) =>
      p.write(
        'migrations/versions/computed.ts',
        `export const revision = ['ab', 'cd1234'].join('');\nexport const downRevision = null;\n`,
      ),
    message: /computed\.ts/,
  },
  {
    name: 'syntax error in the next pending migration',
    args: moveToHead,
    edit: (p) => corruptBody(p, R4),
    message: /cccc44440004/,
  },
  {
    name: 'syntax error in a later pending migration',
    args: moveToHead,
    edit: (p) => corruptBody(p, R6),
    message: /eeee66660006/,
  },
  {
    name: 'pending migration importing a missing module',
    args: moveToHead,
    edit: (p) => prepend(p, R4, `import 'no-such-module-for-faults';\n`),
    message: /no-such-module-for-faults/,
  },
  {
    name: 'pending migration without an up function',
    args: moveToHead,
    edit: (p) => replaceIn(p, R4, /export async function up[\s\S]*?\n}\n/, ''),
    message: /cccc44440004|up/,
  },
  {
    name: 'edited applied migration',
    args: moveToHead,
    edit: (p) =>
      replaceIn(
        p,
        R2,
        'CREATE TABLE b_2 (id serial PRIMARY KEY, name text NOT NULL)',
        'CREATE TABLE b_2 (id serial PRIMARY KEY, name text)',
      ),
    message: /aaaa22220002/,
  },

  // the data source
  {
    name: 'no data source file',
    args: moveToHead,
    edit: (p) => removeFile(p, 'data-source.ts'),
    message: /data.?source/i,
  },
  {
    name: 'syntax error in the data source',
    args: moveToHead,
    edit: (p) => p.write('data-source.ts', BAD_FILE_TEXT),
    message: /data-source\.ts/,
  },
  {
    name: 'data source that throws while loading',
    args: moveToHead,
    edit: (p) => p.write('data-source.ts', `throw new Error('boom from the data source');\n`),
    message: /boom from the data source/,
  },
  {
    name: 'data source exporting no DataSource',
    args: moveToHead,
    edit: (p) => p.write('data-source.ts', 'export const notADataSource = 42;\n'),
    message: /DataSource/,
  },
  {
    name: 'data source exporting two DataSources',
    args: moveToHead,
    edit: (p) =>
      p.write(
        'data-source.ts',
        `import { DataSource } from 'typeorm';\nexport const one = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });\n` +
          `export const two = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });\n`,
      ),
    message: /DataSource/,
  },
  {
    name: 'data source importing a missing package',
    args: moveToHead,
    edit: (p) => p.write('data-source.ts', `import 'no-such-driver-for-faults';\nexport default 1;\n`),
    message: /no-such-driver-for-faults/,
  },

  // connecting
  {
    name: 'unreachable database',
    args: moveToHead,
    databaseUrl: () => `postgres://postgres:${PASSWORD}@127.0.0.1:1/postgres`,
    message: /127\.0\.0\.1:1\b/,
  },
  {
    name: 'wrong password',
    args: moveToHead,
    databaseUrl: ({ passwordServer }) => withPassword(passwordServer.url, 'Wrong-pass-0123'),
    secrets: ({ passwordServer }) => [passwordServer.password, 'Wrong-pass-0123'],
    message: /password/i,
  },
  {
    name: 'database that does not exist',
    args: moveToHead,
    databaseUrl: () => `postgres://postgres:${PASSWORD}@127.0.0.1:5432/ntm_no_such_database`,
    message: /ntm_no_such_database/,
  },
  {
    name: 'role that does not exist',
    args: moveToHead,
    databaseUrl: ({ url }) => withUser(url, 'ntm_no_such_role'),
    message: /ntm_no_such_role/,
  },
  {
    name: 'malformed DATABASE_URL',
    args: moveToHead,
    databaseUrl: () => `postgres://postgres:${PASSWORD}@127.0.0.1:notaport/x`,
    message: /DATABASE_URL/,
  },
  {
    name: 'DATABASE_URL of another dialect',
    args: moveToHead,
    databaseUrl: () => `mysql://root:${PASSWORD}@127.0.0.1:3306/app`,
    message: /mysql/i,
  },
  {
    name: 'sslmode=require on a server without SSL',
    args: moveToHead,
    databaseUrl: ({ url }) => `${url}?sslmode=require`,
    message: /SSL/i,
  },
  {
    name: 'unknown sslmode',
    args: moveToHead,
    databaseUrl: ({ url }) => `${url}?sslmode=bogus`,
    message: /sslmode=bogus/,
  },
  {
    name: 'root certificate file that does not exist',
    args: moveToHead,
    databaseUrl: ({ url }) => `${url}?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem`,
    message: /\/nonexistent\/ca\.pem/,
  },

  // the database's state
  {
    name: 'database at a revision no file has',
    args: moveToHead,
    prepare: async (client) => {
      await client.query(`UPDATE nx_migrations_version SET revision = 'ffffffff0000'`);
    },
    message: /ffffffff0000/,
  },
  {
    name: 'lock held by another session',
    args: migrate('--to=head', '--lock-timeout=1'),
    hold: async (url) => {
      const holder = new Client({ connectionString: url, application_name: 'fault-test-lock-holder' });
      await holder.connect();
      await holder.query('SELECT pg_advisory_lock($1, $2)', [...ADVISORY_LOCK_KEY]);
      return () => holder.end();
    },
    message: /lock[\s\S]*fault-test-lock-holder/i,
  },
  {
    name: 'stamp while the lock is held',
    args: ['stamp', '--to=head', '--lock-timeout=1'],
    hold: async (url) => {
      const holder = new Client({ connectionString: url, application_name: 'fault-test-lock-holder' });
      await holder.connect();
      await holder.query('SELECT pg_advisory_lock($1, $2)', [...ADVISORY_LOCK_KEY]);
      return () => holder.end();
    },
    message: /lock[\s\S]*fault-test-lock-holder/i,
  },
];

function fileText(project: FaultProject, revision: string): string {
  return readFileSync(project.fileOf(revision), 'utf8');
}

function writeFile(project: FaultProject, revision: string, text: string): void {
  writeFileSync(project.fileOf(revision), text);
}

function replaceIn(project: FaultProject, revision: string, search: string | RegExp, replacement: string): void {
  const before = fileText(project, revision);
  const after = before.replace(search, replacement);
  if (after === before) throw new Error(`The fault fixture found nothing to replace in ${revision}.`);
  writeFile(project, revision, after);
}

function prepend(project: FaultProject, revision: string, text: string): void {
  writeFile(project, revision, text + fileText(project, revision));
}

/** Keeps the metadata readable but breaks the TypeScript of `up`. */
function corruptBody(project: FaultProject, revision: string): void {
  replaceIn(
    project,
    revision,
    /export async function up\(queryRunner: QueryRunner\): Promise<void> \{/,
    'export async function up(queryRunner: QueryRunner): Promise<void> {{{ (',
  );
}

function removeFile(project: FaultProject, relativePath: string): void {
  rmSync(join(project.root, relativePath));
}

/** Non-empty lines printed more than once: the same error reported twice is not "one clear message". */
function repeatedLines(text: string): string[] {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.filter((line, index) => lines.indexOf(line) !== index);
}

function withUser(url: string, user: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  return parsed.toString();
}

let template: Awaited<ReturnType<typeof createServerDatabase>>;
let passwordServer: PasswordServer;
const results = new Map<
  string,
  { result: CliResult; before: DatabaseState; after: DatabaseState; secrets: string[] }
>();

/** The whole table runs in beforeAll, three processes at a time; each `it` then checks one case's outcome. */
beforeAll(async () => {
  passwordServer = await startPasswordServer();
  template = await createServerDatabase();
  const setUp = writeFaultProject(baseMigrations());
  try {
    const result = await runCli(['migrate', `--project-root=${setUp.root}`, `--to=${R3}`], {
      databaseUrl: template.url,
    });
    if (result.code !== 0) throw new Error(`Setting up the template database at ${R3} failed:\n${result.output}`);
  } finally {
    setUp.remove();
  }
  await mapLimit(CASES, 3, async (testCase) => {
    const database = await createServerDatabase(template.name);
    const project = writeFaultProject(testCase.migrations ?? baseMigrations());
    try {
      testCase.edit?.(project);
      if (testCase.prepare) await withClient(database.url, testCase.prepare);
      const context: CaseContext = { project, url: withPassword(database.url, PASSWORD), passwordServer };
      const before = await databaseState(database.url);
      const release = testCase.hold ? await testCase.hold(database.url) : undefined;
      let result: CliResult;
      try {
        const args = testCase.args.some((arg) => arg.startsWith('--project-root'))
          ? testCase.args
          : [testCase.args[0]!, `--project-root=${project.root}`, ...testCase.args.slice(1)];
        result = await runCli(args, {
          databaseUrl: testCase.databaseUrl ? testCase.databaseUrl(context) : context.url,
        });
      } finally {
        await release?.();
      }
      const after = await databaseState(database.url);
      results.set(testCase.name, {
        result,
        before,
        after,
        secrets: [PASSWORD, ...(testCase.secrets?.(context) ?? [])],
      });
    } finally {
      project.remove();
      await database.drop();
    }
  });
}, 300_000);

afterAll(async () => {
  passwordServer?.stop();
  await template?.drop();
});

describe('fault: bad input (PostgreSQL server)', () => {
  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
    const outcome = results.get(testCase.name);
    expect(outcome).toBeDefined();
    const { result, before, after, secrets } = outcome!;
    const seen = `exit ${result.code}\n${result.output}`;
    expect({ seen, exitedNonZero: result.code !== null && result.code !== 0 }).toEqual({ seen, exitedNonZero: true });
    expect({ seen, message: testCase.message.test(result.output) }).toEqual({ seen, message: true });
    expect({ seen, stackFrames: stackFrames(result.output) }).toEqual({ seen, stackFrames: [] });
    expect({ seen, repeatedLines: repeatedLines(result.stderr) }).toEqual({ seen, repeatedLines: [] });
    for (const secret of secrets)
      expect({ seen, printsPassword: result.output.includes(secret) }).toEqual({ seen, printsPassword: false });
    expect(after).toEqual(before);
  });
});
