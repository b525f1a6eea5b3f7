import { snapshotCatalog, type CatalogSnapshot } from '../catalog';
import { runCli, type CliResult } from './cli-process';
import {
  applyDirectly,
  chainMigrations,
  createServerDatabase,
  versionRows,
  withClient,
  writeFaultProject,
  type FaultProject,
} from './fault-project';
import { startPgbouncer, type Pooler } from '../pgbouncer';

/**
 * Eight `migrate --to=head` processes started at once on one database, twenty rounds: the advisory lock must
 * make every migration run exactly once, and every process must either succeed or stop with the lock-timeout
 * message. Then the same through a PgBouncer in transaction mode, where the runs hold a lease instead (three
 * rounds: the pooler suite proves the lease, these the same promise as the server's). Runs against the PostgreSQL
 * server only: PGlite serves all connections from one session, so it has no concurrency to get wrong.
 */
const ROUNDS = 20;
const POOLER_ROUNDS = 3;
const PROCESSES = 8;
const MIGRATIONS = chainMigrations(12, 'concurrency');
const HEAD = MIGRATIONS[MIGRATIONS.length - 1]!.revision;
const LOCK_TIMEOUT_MESSAGE = /timed out .*lock|lock.*timed out/i;

let project: FaultProject;
let headCatalog: CatalogSnapshot;

beforeAll(async () => {
  project = writeFaultProject(MIGRATIONS);
  const reference = await createServerDatabase();
  try {
    await applyDirectly(reference.url, MIGRATIONS);
    headCatalog = await snapshotCatalog(reference.url);
  } finally {
    await reference.drop();
  }
});

afterAll(() => project?.remove());

function describeResult(result: CliResult): string {
  return `exit ${result.code}${result.signal ? ` (${result.signal})` : ''}:\n${result.output}`;
}

/** One round: PROCESSES runs at once on a fresh database, reached through `urlOf(database)`; then the promises. */
async function concurrentRound(urlOf: (database: { name: string; url: string }) => string): Promise<CliResult[]> {
  const database = await createServerDatabase();
  try {
    const results = await Promise.all(
      Array.from({ length: PROCESSES }, () =>
        runCli(['migrate', `--project-root=${project.root}`, '--to=head', '--lock-timeout=60'], {
          databaseUrl: urlOf(database),
        }),
      ),
    );
    for (const result of results) {
      if (result.code !== 0)
        expect({ outcome: describeResult(result) }).toEqual({
          outcome: expect.stringMatching(LOCK_TIMEOUT_MESSAGE),
        });
    }
    expect(results.filter((result) => result.code === 0).length).toBeGreaterThanOrEqual(1);

    expect(await versionRows(database.url)).toEqual([HEAD]);
    expect(await snapshotCatalog(database.url)).toEqual(headCatalog);
    await withClient(database.url, async (client) => {
      // Each migration inserts one row into its table: a second run of it would have failed on CREATE TABLE,
      // or, had it been skipped and re-run, left two rows.
      for (let i = 1; i <= MIGRATIONS.length; i += 1) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM f_${i}`);
        expect({ table: `f_${i}`, rows: rows[0].n }).toEqual({ table: `f_${i}`, rows: 1 });
      }
      const ups = await client.query(
        `SELECT revision, count(*)::int AS n FROM nx_migrations_history WHERE direction = 'up' GROUP BY revision`,
      );
      const byRevision = (a: { revision: string }, b: { revision: string }) => (a.revision < b.revision ? -1 : 1);
      expect([...ups.rows].sort(byRevision)).toEqual(
        MIGRATIONS.map((m) => ({ revision: m.revision, n: 1 })).sort(byRevision),
      );
    });
    return results;
  } finally {
    await database.drop();
  }
}

describe('fault: 8 concurrent migrate --to=head (PostgreSQL server)', () => {
  it.each(Array.from({ length: ROUNDS }, (_, round) => round + 1))(
    'round %i: every migration applied exactly once, every process succeeds or reports the lock timeout',
    async () => {
      await concurrentRound((database) => database.url);
    },
    120_000,
  );
});

describe('fault: 8 concurrent migrate --to=head through PgBouncer in transaction mode', () => {
  let pooler: Pooler;
  beforeAll(async () => {
    pooler = await startPgbouncer();
  }, 60_000);
  afterAll(async () => {
    await pooler?.stop();
  });

  it.each(Array.from({ length: POOLER_ROUNDS }, (_, round) => round + 1))(
    'round %i: every run holds a lease, every migration applied exactly once, every process succeeds or reports the lock timeout',
    async () => {
      const results = await concurrentRound((database) => pooler.urlFor(database.name));
      for (const result of results) {
        if (result.code === 0) expect(result.stdout).toContain('Lock: a lease (nx_migrations_lease, renewed while the run lasts)');
      }
    },
    120_000,
  );
});
