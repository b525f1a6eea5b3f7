import { snapshotCatalog, type CatalogSnapshot } from '../catalog';
import { runCli, startCli } from './cli-process';
import {
  chainMigrations,
  createServerDatabase,
  referenceSnapshots,
  versionRows,
  waitForOtherSessionsToEnd,
  writeFaultProject,
  type FaultProject,
  withClient,
} from './fault-project';
import { startPgbouncer, type Pooler } from '../pgbouncer';

/**
 * kill -9 of `migrate --to=head` at random points of a 200-migration upgrade, thirty rounds, and four more through a
 * PgBouncer in transaction mode (where the run holds a lease and its transactions run on pooled server sessions). After each kill the
 * schema must be exactly the schema of the revision the version table records (compared catalog to catalog with
 * a reference database that ran the same SQL directly), and the next run must complete. Each migration changes
 * two tables, so a half-applied one would show. PostgreSQL server only: this is about its transactions.
 *
 * Kill points are drawn from a seeded generator; `FAULT_SEED=<n>` replays a run (the seed is in the test names).
 */
const ROUNDS = 30;
const MIGRATIONS = chainMigrations(200, 'crash');
const REVISION_INDEX = new Map(MIGRATIONS.map((m, index) => [m.revision, index + 1]));
/** Below this many finished migrations, at least 20 remain: the run cannot finish in the 0-40 ms before the kill. */
const KILL_MUST_LAND_BELOW = 180;
const SEED = Number(process.env['FAULT_SEED'] ?? Date.now() % 1_000_000);

/** mulberry32: small, seedable, good enough to spread kill points. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = randomSource(SEED);
/** Per round: how many migrations to let finish before the kill, and a further delay of 0-40 ms. */
const POOLER_ROUNDS = 4;
const killPoints = (rounds: number) =>
  Array.from({ length: rounds }, (_, round) => ({
    round: round + 1,
    afterMigrations: Math.floor(random() * 195),
    extraDelayMs: Math.floor(random() * 40),
  }));
const KILL_POINTS = killPoints(ROUNDS);
const POOLER_KILL_POINTS = killPoints(POOLER_ROUNDS);

let project: FaultProject;
let references: CatalogSnapshot[];

beforeAll(async () => {
  project = writeFaultProject(MIGRATIONS);
  const reference = await createServerDatabase();
  try {
    references = await referenceSnapshots(reference.url, MIGRATIONS);
  } finally {
    await reference.drop();
  }
}, 120_000);

afterAll(() => project?.remove());

/** How many of the chain's revision ids the run has printed: its progress, one line per migration. */
function migrationsReported(stdout: string): number {
  let count = 0;
  for (const revision of REVISION_INDEX.keys()) if (stdout.includes(revision)) count += 1;
  return count;
}

/**
 * Behind a pooler the server sessions outlive the killed client (the pooler keeps them); what must end is the killed
 * run's transaction, which the pooler rolls back by closing its server session.
 */
async function waitForTransactionsToEnd(url: string, timeoutMs = 20_000): Promise<void> {
  await withClient(url, async (client) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
      );
      if (rows[0].n === 0) return;
      if (Date.now() > deadline) throw new Error(`A transaction of a killed process was still open after ${timeoutMs} ms.`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
}

interface CrashRoute {
  urlOf(database: { name: string; url: string }): string;
  settled(url: string): Promise<void>;
}

async function crashRound(route: CrashRoute, afterMigrations: number, extraDelayMs: number): Promise<void> {
  const database = await createServerDatabase();
  try {
    const url = route.urlOf(database);
    const running = startCli(['migrate', `--project-root=${project.root}`, '--to=head'], { databaseUrl: url });
    const exited = running.done.then(() => true);
    for (;;) {
      if (migrationsReported(running.stdout()) >= afterMigrations) break;
      if (await Promise.race([exited, new Promise<false>((resolve) => setTimeout(() => resolve(false), 5))])) break;
    }
    await new Promise((resolve) => setTimeout(resolve, extraDelayMs));
    running.child.kill('SIGKILL');
    const killed = await running.done;
    // Far from the end the kill must land while the run is under way, or this round proved nothing.
    if (afterMigrations < KILL_MUST_LAND_BELOW)
      expect({ signal: killed.signal, output: killed.output }).toEqual({
        signal: 'SIGKILL',
        output: killed.output,
      });
    if (killed.signal !== 'SIGKILL') {
      // It finished before the kill landed; then it must have finished well.
      expect({ code: killed.code, output: killed.code === 0 ? '' : killed.output }).toEqual({
        code: 0,
        output: '',
      });
    }

    await route.settled(database.url);
    const versions = (await versionRows(database.url)) ?? [];
    expect(versions.length).toBeLessThanOrEqual(1);
    const recorded = versions.length === 0 ? 0 : REVISION_INDEX.get(versions[0]!);
    expect(recorded).toBeDefined();
    expect(await snapshotCatalog(database.url)).toEqual(references[recorded!]);

    const next = await runCli(['migrate', `--project-root=${project.root}`, '--to=head'], { databaseUrl: url });
    expect({ code: next.code, output: next.code === 0 ? '' : next.output }).toEqual({ code: 0, output: '' });
    expect(await versionRows(database.url)).toEqual([MIGRATIONS[MIGRATIONS.length - 1]!.revision]);
    expect(await snapshotCatalog(database.url)).toEqual(references[MIGRATIONS.length]);
  } finally {
    await database.drop();
  }
}

describe(`fault: kill -9 during a 200-migration upgrade (PostgreSQL server, FAULT_SEED=${SEED})`, () => {
  it.each(KILL_POINTS)(
    'round $round: killed after $afterMigrations migrations (+$extraDelayMs ms), schema matches the recorded revision, next run completes',
    async ({ afterMigrations, extraDelayMs }) => {
      await crashRound({ urlOf: (database) => database.url, settled: (url) => waitForOtherSessionsToEnd(url) }, afterMigrations, extraDelayMs);
    },
    120_000,
  );
});

describe(`fault: kill -9 during a 200-migration upgrade through PgBouncer in transaction mode (FAULT_SEED=${SEED})`, () => {
  let pooler: Pooler;
  beforeAll(async () => {
    pooler = await startPgbouncer();
  }, 60_000);
  afterAll(async () => {
    await pooler?.stop();
  });

  it.each(POOLER_KILL_POINTS)(
    'round $round: killed after $afterMigrations migrations (+$extraDelayMs ms), schema matches the recorded revision, next run completes',
    async ({ afterMigrations, extraDelayMs }) => {
      await crashRound(
        { urlOf: (database) => pooler.urlFor(database.name), settled: (url) => waitForTransactionsToEnd(url) },
        afterMigrations,
        extraDelayMs,
      );
    },
    120_000,
  );
});
