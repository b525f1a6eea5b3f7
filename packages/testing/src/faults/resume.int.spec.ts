import { migrate } from '../../../commands/src/migrate';
import { MemoryReporter } from '../../../commands/src/reporter';
import { createTestDatabase, DATABASE_KINDS } from '../databases';
import { writeTestProject, type TestMigration } from '../projects';
import { runCli, startCli } from './cli-process';
import { createServerDatabase, versionRows, waitForOtherSessionsToEnd, withClient, writeFaultProject, type MigrationSpec } from './fault-project';

/**
 * A migration outside a transaction (`transactional = false`) stopped half-way is resumed after its last completed
 * statement: each statement inserts a row under a primary key, so a statement run twice would fail, and one skipped
 * would leave its row missing.
 */
const STATEMENTS = 24;
/** Where the one statement PostgreSQL refuses in a transaction sits (it runs alone). */
const CONCURRENT_AT = 10;

function resumableChain(seed: string, sleepSeconds: number): MigrationSpec[] {
  const up = Array.from({ length: STATEMENTS }, (_, index) =>
    index === CONCURRENT_AT
      ? 'CREATE INDEX CONCURRENTLY r_at_idx ON r (at)'
      : `INSERT INTO r (i) SELECT ${index + 1} FROM pg_sleep(${sleepSeconds})`,
  );
  return [
    {
      revision: `${seed}01`,
      downRevisions: [],
      message: 'Create r',
      up: ['CREATE TABLE r (i integer PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())'],
      down: ['DROP TABLE r'],
    },
    { revision: `${seed}02`, downRevisions: [`${seed}01`], message: 'Fill r', transactional: false, up, down: ['DROP INDEX r_at_idx', 'DELETE FROM r'] },
  ];
}

const expectedRows = Array.from({ length: STATEMENTS }, (_, index) => index + 1).filter((i) => i !== CONCURRENT_AT + 1);

async function rowsOf(url: string): Promise<number[]> {
  return withClient(url, async (client) => (await client.query('SELECT i FROM r ORDER BY i')).rows.map((row) => row.i as number));
}

describe('kill -9 during a migration outside a transaction (PostgreSQL server)', () => {
  const chain = resumableChain('resume', 0.06);
  const project = writeFaultProject(chain);
  afterAll(() => project.remove());

  it.each([{ killAfter: 3 }, { killAfter: 6 }, { killAfter: 17 }])(
    'killed after $killAfter rows: status shows it partly applied, and the next migrate completes every statement once',
    async ({ killAfter }) => {
      const database = await createServerDatabase();
      try {
        const running = startCli(['migrate', `--project-root=${project.root}`], { databaseUrl: database.url });
        const exited = running.done.then(() => true);
        for (;;) {
          const count = await withClient(database.url, async (client) => {
            const present = await client.query(`SELECT to_regclass('public.r') IS NOT NULL AS present`);
            return present.rows[0].present ? (await client.query('SELECT count(*)::int AS n FROM r')).rows[0].n : 0;
          });
          if (count >= killAfter) break;
          if (await Promise.race([exited, new Promise<false>((resolve) => setTimeout(() => resolve(false), 20))])) break;
        }
        running.child.kill('SIGKILL');
        const killed = await running.done;
        expect({ signal: killed.signal, output: killed.output }).toEqual({ signal: 'SIGKILL', output: killed.output });
        await waitForOtherSessionsToEnd(database.url);
        expect(await versionRows(database.url)).toEqual([chain[0].revision]);

        const shown = await runCli(['status', `--project-root=${project.root}`], { databaseUrl: database.url });
        expect(shown.stdout).toMatch(
          new RegExp(`Partly applied \\(upgrade, transactional = false\\): ${chain[1].revision}  Fill r  .*: \\d+ statement\\(s\\) completed`),
        );

        const next = await runCli(['migrate', `--project-root=${project.root}`], { databaseUrl: database.url });
        expect({ code: next.code, output: next.code === 0 ? '' : next.output }).toEqual({ code: 0, output: '' });
        expect(next.stdout).toMatch(new RegExp(`Resuming ${chain[1].revision} after statement \\d+`));
        expect(await rowsOf(database.url)).toEqual(expectedRows);
        expect(await versionRows(database.url)).toEqual([chain[1].revision]);
        const left = await withClient(database.url, async (client) => {
          const index = await client.query(`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'r_at_idx'::regclass`);
          const progress = await client.query('SELECT count(*)::int AS n FROM nx_migrations_progress');
          return { index: index.rows, progress: progress.rows[0].n };
        });
        expect(left).toEqual({ index: [{ valid: true }], progress: 0 });
      } finally {
        await database.drop();
      }
    },
    120_000,
  );
});

describe.each(DATABASE_KINDS)('a failing migration outside a transaction, fixed, on %s', (kind) => {
  it('resumes after the statements that completed, running none of them twice', async () => {
    const database = await createTestDatabase(kind);
    const chain = resumableChain('fixit', 0) as TestMigration[];
    const broken = { ...chain[1], up: chain[1].up.map((sql, index) => (index === 15 ? 'INSERT INTO r (i) VALUES (no_such_column)' : sql)) };
    const project = writeTestProject({ migrations: [chain[0], broken] });
    try {
      const context = project.context({ DATABASE_URL: database.url });
      const failed = await migrate(context, {}, new MemoryReporter());
      expect(failed.success).toBe(false);
      expect(failed.error).toContain(
        'it ran without a transaction (transactional = false); its first 15 statement(s) completed and are recorded, ' +
          'so the next migrate resumes after them. Fix the migration and run nx run backend:migrate again.',
      );
      expect(await rowsOf(database.url)).toEqual(expectedRows.filter((i) => i <= 15));

      project.writeMigration(chain[1]);
      const reporter = new MemoryReporter();
      const resumed = await migrate(context, {}, reporter);
      expect({ success: resumed.success, error: resumed.error }).toEqual({ success: true, error: undefined });
      expect(reporter.lines).toContain(
        `  Resuming ${chain[1].revision} after statement 15, which an earlier run completed (transactional = false).`,
      );
      expect(await rowsOf(database.url)).toEqual(expectedRows);

      // A file whose completed statements changed cannot be resumed: it would skip the wrong ones.
      await migrate(context, { to: '-1' }, new MemoryReporter());
      const again = { ...chain[1], up: chain[1].up.map((sql, index) => (index === 15 ? 'INSERT INTO r (i) VALUES (no_such_column)' : sql)) };
      project.writeMigration(again);
      await migrate(context, {}, new MemoryReporter());
      project.writeMigration({ ...chain[1], up: ['SELECT 1', ...chain[1].up] });
      const mismatch = await migrate(context, {}, new MemoryReporter());
      expect(mismatch.error).toMatch(/cannot resume: its statement 15 was INSERT INTO r \(i\) SELECT 15 FROM pg_sleep\(0\) when an earlier run completed it, and is now INSERT INTO r \(i\) SELECT 14 FROM pg_sleep\(0\); restore the statements that ran in statement INSERT INTO r \(i\) SELECT 14 FROM pg_sleep\(0\); it ran without a transaction/);
    } finally {
      project.remove();
      await database.drop();
    }
  });
});
