import { Client } from 'pg';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../testing/src/databases';
import { linearMigrations, writeTestProject, type TestMigration, type TestProject } from '../../testing/src/projects';
import { migrate } from './migrate';
import { MemoryReporter } from './reporter';

/**
 * Timeouts of each migration's transaction, and retries of a migration that waits for a lock behind another
 * session: on the PostgreSQL server a second session really holds the lock.
 */

async function rows<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

const headsOf = async (url: string) =>
  (await rows<{ revision: string }>(url, 'SELECT revision FROM nx_migrations_version ORDER BY 1')).map((row) => row.revision);

/** A session that holds `ACCESS EXCLUSIVE` on `table` in an open transaction until `release`. */
async function holdLock(url: string, table: string) {
  const client = new Client({ connectionString: url, application_name: 'nightly-report' });
  await client.connect();
  const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  return {
    pid,
    async release() {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** Two migrations: `t_1`, then a column added to it (which needs `t_1`'s lock). */
function alterChain(seed: string): TestMigration[] {
  const [first] = linearMigrations(1, seed);
  return [
    first,
    {
      revision: `${first.revision.slice(0, 6)}a1`,
      downRevisions: [first.revision],
      message: 'Add t_1.note',
      up: ['ALTER TABLE t_1 ADD COLUMN note text'],
      down: ['ALTER TABLE t_1 DROP COLUMN note'],
    },
  ];
}

describe('a migration waiting for a lock (PostgreSQL server)', () => {
  let database: TestDatabase;
  let project: TestProject;
  beforeEach(async () => {
    database = await createTestDatabase('postgres');
  }, 60_000);
  afterEach(async () => {
    project?.remove();
    await database?.drop();
  }, 60_000);

  it('times out, is rolled back, retried, and applied once the lock is released', async () => {
    const chain = alterChain('lock-retry');
    project = writeTestProject({ migrations: chain });
    const context = project.context({ DATABASE_URL: database.url });
    expect((await migrate(context, { to: '+1' }, new MemoryReporter())).success).toBe(true);
    const holder = await holdLock(database.url, 't_1');
    const reporter = new MemoryReporter();
    // The holder lets go once the migration has timed out and been retried at least once.
    const released = (async () => {
      while (!reporter.warnings.some((line) => line.includes('try 3 of'))) await new Promise((r) => setTimeout(r, 20));
      await holder.release();
    })();
    const result = await migrate(
      context,
      { stepLockTimeout: '300ms', lockRetries: 6, retryDelayMs: 100 },
      reporter,
    );
    await released;
    expect({ success: result.success, error: result.error }).toEqual({ success: true, error: undefined });
    expect(reporter.warnings[0]).toBe(
      `  ${chain[1].revision} timed out waiting for a lock held by process ${holder.pid} (nightly-report); rolled back, ` +
        'trying again in 0.1 s (try 2 of 7).',
    );
    expect(await headsOf(database.url)).toEqual([chain[1].revision]);
    const applied = await rows<{ revision: string }>(
      database.url,
      `SELECT revision FROM nx_migrations_history WHERE direction = 'up' ORDER BY id`,
    );
    expect(applied.map((row) => row.revision)).toEqual(chain.map((migration) => migration.revision));
    const columns = await rows<{ name: string }>(
      database.url,
      "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 't_1' AND column_name = 'note'",
    );
    expect(columns).toEqual([{ name: 'note' }]);
  });

  it('fails after its last try, naming the migration and the session that holds the lock, and what it runs', async () => {
    const chain = alterChain('lock-holder');
    project = writeTestProject({ migrations: chain });
    const context = project.context({ DATABASE_URL: database.url });
    expect((await migrate(context, { to: '+1' }, new MemoryReporter())).success).toBe(true);
    const holder = await holdLock(database.url, 't_1');
    try {
      const reporter = new MemoryReporter();
      const started = Date.now();
      const result = await migrate(context, { stepLockTimeout: '400ms', lockRetries: 2, retryDelayMs: 50 }, reporter);
      expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 400 + 50 + 100);
      expect(result.success).toBe(false);
      expect(result.error).toMatch(
        new RegExp(
          `^Upgrade to ${chain[1].revision} \\(apps/backend/migrations/versions/[^)]+\\) timed out waiting for a lock in ` +
            `statement ALTER TABLE t_1 ADD COLUMN note text on each of 3 tries, and was rolled back; the migrations ` +
            `before it stay applied; the lock is held by process ${holder.pid} \\(nightly-report\\), idle in transaction ` +
            `since [0-9T:.-]+Z, running LOCK TABLE t_1 IN ACCESS EXCLUSIVE MODE\\. End or wait for that session and run nx run backend:migrate ` +
            `again, or raise --step-lock-timeout or the migration's lockTimeout\\.$`,
        ),
      );
      expect(result.steps.map((step) => step.status)).toEqual(['failed']);
      expect(reporter.warnings).toHaveLength(2);
      expect(await headsOf(database.url)).toEqual([chain[0].revision]);
    } finally {
      await holder.release();
    }
  });
});

describe.each(DATABASE_KINDS)('timeouts of each migration on %s', (kind) => {
  let database: TestDatabase;
  let project: TestProject;
  beforeEach(async () => {
    database = await createTestDatabase(kind);
  }, 60_000);
  afterEach(async () => {
    project?.remove();
    await database?.drop();
  }, 60_000);

  it("runs each transactional migration under the run's timeouts, or the file's own", async () => {
    const record = (table: string) =>
      `INSERT INTO settings (revision, lock_timeout, statement_timeout) VALUES ('${table}', current_setting('lock_timeout'), current_setting('statement_timeout'))`;
    const chain = linearMigrations(3, 'timeouts').map((migration, index) => ({
      ...migration,
      up: [
        ...(index === 0 ? ['CREATE TABLE settings (revision text, lock_timeout text, statement_timeout text)'] : []),
        ...migration.up,
        record(`t_${index + 1}`),
      ],
    }));
    chain[1] = { ...chain[1], lockTimeout: '10s', statementTimeout: '2min' };
    project = writeTestProject({ migrations: chain });
    const result = await migrate(
      project.context({ DATABASE_URL: database.url }),
      { stepLockTimeout: '750ms', stepStatementTimeout: '30s' },
      new MemoryReporter(),
    );
    expect(result.success).toBe(true);
    expect(await rows(database.url, 'SELECT * FROM settings ORDER BY revision')).toEqual([
      { revision: 't_1', lock_timeout: '750ms', statement_timeout: '30s' },
      { revision: 't_2', lock_timeout: '10s', statement_timeout: '2min' },
      { revision: 't_3', lock_timeout: '750ms', statement_timeout: '30s' },
    ]);
    // SET LOCAL: nothing outlives the migration's transaction.
    expect(await rows(database.url, "SELECT current_setting('lock_timeout') AS lock")).toEqual([{ lock: '0' }]);
  });

  it('refuses a timeout that is not a duration before connecting', async () => {
    project = writeTestProject({ migrations: linearMigrations(1, 'bad-timeout') });
    await expect(
      migrate(project.context({ DATABASE_URL: database.url }), { stepLockTimeout: '5 seconds' }, new MemoryReporter()),
    ).rejects.toThrow('--step-lock-timeout must be a duration such as 5s, 500ms or 2min (0 for no limit), not 5 seconds.');
  });
});
