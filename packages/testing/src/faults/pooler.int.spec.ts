import { runCli, startCli, type CliResult } from './cli-process';
import { chainMigrations, createServerDatabase, versionRows, withClient, writeFaultProject, type FaultProject } from './fault-project';
import { startPgbouncer, type Pooler } from '../pgbouncer';

/**
 * The migration lock behind a real PgBouncer in transaction mode, where each transaction of a client may run on
 * another server session and a session-level advisory lock holds nothing: `migrate` sees the pooler (the server
 * sees another client than its socket) and takes a lease. Several runs at once through the pooler must apply each
 * migration exactly once; a run killed while it holds the lease must not stop the next one.
 *
 * PgBouncer missing fails these tests (`.ci/run` installs it), never skips them.
 */
const PROCESSES = 4;
const ROUNDS = 3;
const MIGRATIONS = chainMigrations(12, 'pooler');
const HEAD = MIGRATIONS[MIGRATIONS.length - 1]!.revision;
/** The same chain, each migration taking 0.5 s: a run long enough for a second command to arrive while it holds the lock. */
const SLOW_MIGRATIONS = chainMigrations(8, 'pooler-slow').map((migration) => ({
  ...migration,
  up: [...migration.up, 'SELECT pg_sleep(0.5)'],
}));

let pooler: Pooler;
let project: FaultProject;
let slowProject: FaultProject;

beforeAll(async () => {
  pooler = await startPgbouncer();
  project = writeFaultProject(MIGRATIONS);
  slowProject = writeFaultProject(SLOW_MIGRATIONS);
}, 60_000);

afterAll(async () => {
  project?.remove();
  slowProject?.remove();
  await pooler?.stop();
});

/** Waits until a run holds the lease on the database (its row is there). */
async function leaseTaken(url: string): Promise<void> {
  for (;;) {
    const held = await withClient(url, async (client) => {
      const present = await client.query(`SELECT to_regclass('public.nx_migrations_lease') IS NOT NULL AS present`);
      return present.rows[0].present && (await client.query('SELECT count(*)::int AS n FROM nx_migrations_lease')).rows[0].n > 0;
    });
    if (held) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function describeResult(result: CliResult): string {
  return `exit ${result.code}${result.signal ? ` (${result.signal})` : ''}:\n${result.output}`;
}

/** Each migration of the chain inserts one row into its table: how many times each ran. */
async function appliedCounts(url: string): Promise<{ rows: number[]; ups: Record<string, number> }> {
  return withClient(url, async (client) => {
    const rows: number[] = [];
    for (let i = 1; i <= MIGRATIONS.length; i++) rows.push((await client.query(`SELECT count(*)::int AS n FROM f_${i}`)).rows[0].n);
    const history = await client.query(`SELECT revision, count(*)::int AS n FROM nx_migrations_history WHERE direction = 'up' GROUP BY 1`);
    return { rows, ups: Object.fromEntries(history.rows.map((row) => [row.revision as string, row.n as number])) };
  });
}

describe('behind PgBouncer in transaction mode (PostgreSQL server)', () => {
  it.each(Array.from({ length: ROUNDS }, (_, round) => round + 1))(
    `round %i: ${PROCESSES} concurrent migrate runs take a lease, and every migration is applied exactly once`,
    async () => {
      const database = await createServerDatabase();
      try {
        const url = pooler.urlFor(database.name);
        const results = await Promise.all(
          Array.from({ length: PROCESSES }, () =>
            runCli(['migrate', `--project-root=${project.root}`, '--to=head', '--lock-timeout=90'], { databaseUrl: url }),
          ),
        );
        for (const result of results) expect({ outcome: describeResult(result) }).toEqual({ outcome: expect.stringMatching(/^exit 0:/) });
        for (const result of results) expect(result.stdout).toContain('Lock: a lease (nx_migrations_lease, renewed while the run lasts)');
        expect(await versionRows(database.url)).toEqual([HEAD]);
        expect(await appliedCounts(database.url)).toEqual({
          rows: MIGRATIONS.map(() => 1),
          ups: Object.fromEntries(MIGRATIONS.map((migration) => [migration.revision, 1])),
        });
        expect(await withClient(database.url, async (client) => (await client.query('SELECT count(*)::int AS n FROM nx_migrations_lease')).rows[0].n)).toBe(0);
      } finally {
        await database.drop();
      }
    },
    180_000,
  );

  it('a run killed while it holds the lease does not stop the next one, which completes the upgrade', async () => {
    const database = await createServerDatabase();
    try {
      const url = pooler.urlFor(database.name);
      const running = startCli(['migrate', `--project-root=${project.root}`, '--to=head'], { databaseUrl: url });
      await leaseTaken(database.url);
      running.child.kill('SIGKILL');
      expect((await running.done).signal).toBe('SIGKILL');
      const next = await runCli(['migrate', `--project-root=${project.root}`, '--to=head', '--lock-timeout=20'], { databaseUrl: url });
      expect({ outcome: describeResult(next) }).toEqual({ outcome: expect.stringMatching(/^exit 0:/) });
      expect(await versionRows(database.url)).toEqual([HEAD]);
      const { ups } = await appliedCounts(database.url);
      expect(Object.values(ups).every((count) => count === 1)).toBe(true);
    } finally {
      await database.drop();
    }
  }, 120_000);

  it('with --lock=advisory through the pooler it uses the session lock, as asked', async () => {
    const database = await createServerDatabase();
    try {
      const result = await runCli(['migrate', `--project-root=${project.root}`, '--to=+1', '--lock=advisory'], {
        databaseUrl: pooler.urlFor(database.name),
      });
      expect({ outcome: describeResult(result) }).toEqual({ outcome: expect.stringMatching(/^exit 0:/) });
      expect(result.stdout).not.toContain('Lock: a lease');
      const bad = await runCli(['migrate', `--project-root=${project.root}`, '--lock=sometimes'], { databaseUrl: pooler.urlFor(database.name) });
      expect({ code: bad.code, stderr: bad.stderr.trim() }).toEqual({ code: 2, stderr: '--lock=sometimes is not known; use one of advisory, lease, auto.' });
      const badEnv = await runCli(['migrate', `--project-root=${project.root}`], {
        databaseUrl: pooler.urlFor(database.name),
        env: { NX_TYPEORM_MIGRATIONS_LOCK: 'sometimes' },
      });
      expect({ code: badEnv.code, stderr: badEnv.stderr.trim() }).toEqual({
        code: 1,
        stderr: 'NX_TYPEORM_MIGRATIONS_LOCK=sometimes is not a lock mode; use advisory, lease or auto.',
      });
    } finally {
      await database.drop();
    }
  }, 120_000);

  it('migrate-stamp takes the lease too, and --lock=advisory is obeyed', async () => {
    const database = await createServerDatabase();
    try {
      const url = pooler.urlFor(database.name);
      const stamped = await runCli(['stamp', `--project-root=${project.root}`, '--to=head'], { databaseUrl: url });
      expect({ outcome: describeResult(stamped) }).toEqual({ outcome: expect.stringMatching(/^exit 0:/) });
      expect(stamped.stdout).toContain('Lock: a lease (nx_migrations_lease, renewed while the run lasts)');
      expect(await versionRows(database.url)).toEqual([HEAD]);
      await withClient(database.url, async (client) => {
        // No migration ran, and the lease is gone.
        expect((await client.query(`SELECT to_regclass('public.f_1') IS NULL AS absent`)).rows[0].absent).toBe(true);
        expect((await client.query('SELECT count(*)::int AS n FROM nx_migrations_lease')).rows[0].n).toBe(0);
      });
      const advisory = await runCli(['stamp', `--project-root=${project.root}`, '--to=base', '--lock=advisory'], { databaseUrl: url });
      expect({ outcome: describeResult(advisory) }).toEqual({ outcome: expect.stringMatching(/^exit 0:/) });
      expect(advisory.stdout).not.toContain('Lock: a lease');
      expect(await versionRows(database.url)).toEqual([]);
    } finally {
      await database.drop();
    }
  }, 120_000);

  it('a stamp started while a migrate holds the lease waits for it: the stamp comes after every migration, none lost', async () => {
    const database = await createServerDatabase();
    try {
      const url = pooler.urlFor(database.name);
      const migrating = startCli(['migrate', `--project-root=${slowProject.root}`, '--to=head'], { databaseUrl: url });
      await leaseTaken(database.url);
      const stamping = startCli(['stamp', `--project-root=${slowProject.root}`, '--to=base', '--lock-timeout=60'], { databaseUrl: url });
      const [migrated, stamped] = await Promise.all([migrating.done, stamping.done]);
      expect({ outcome: describeResult(migrated) }).toEqual({ outcome: expect.stringMatching(/^exit 0:/) });
      expect({ outcome: describeResult(stamped) }).toEqual({ outcome: expect.stringMatching(/^exit 0:/) });
      expect(stamped.stdout).toContain('Lock: a lease (nx_migrations_lease, renewed while the run lasts)');
      // The stamp read the heads under the lock, after the last migration: it saw head and recorded base.
      expect(stamped.stdout).toContain(`Stamped: the version table now says base (was ${SLOW_MIGRATIONS[SLOW_MIGRATIONS.length - 1]!.revision})`);
      expect(await versionRows(database.url)).toEqual([]);
      await withClient(database.url, async (client) => {
        const history = await client.query(`SELECT id, revision, direction FROM nx_migrations_history ORDER BY id`);
        const ups = history.rows.filter((row) => row.direction === 'up');
        const stamps = history.rows.filter((row) => row.direction === 'stamp');
        expect(ups.map((row) => row.revision)).toEqual(SLOW_MIGRATIONS.map((migration) => migration.revision));
        expect(stamps).toHaveLength(SLOW_MIGRATIONS.length);
        expect(Math.min(...stamps.map((row) => Number(row.id)))).toBeGreaterThan(Math.max(...ups.map((row) => Number(row.id))));
        for (let i = 1; i <= SLOW_MIGRATIONS.length; i++) {
          expect((await client.query(`SELECT count(*)::int AS n FROM f_${i}`)).rows[0].n).toBe(1);
        }
      });
    } finally {
      await database.drop();
    }
  }, 120_000);
});
