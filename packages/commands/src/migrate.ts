import type { QueryRunner } from 'typeorm';
import { parseTarget } from '../../core/src/target';
import { appliedRevisions, planSteps, type Step } from '../../core/src/plan';
import { loadMigrationFunctions, loadMigrationFunctionsAhead } from '../../adapters/src/fs/migration-directory';
import { saveCompiledCode, transpileAhead } from '../../adapters/src/typescript/typescript-loader';
import { loadDataSource, offlineDataSource } from '../../adapters/src/typeorm/data-source';
import { acquireMigrationLock, LOCK_MODES, type HeldLock, type LockMode } from '../../adapters/src/typeorm/lock';
import { localPortOf, openSideSession } from '../../adapters/src/typeorm/side-session';
import { recordQueries, runSteps, type StepOutcome, type StepRetry } from '../../adapters/src/typeorm/runner';
import {
  DEFAULT_LOCK_RETRIES,
  DEFAULT_STEP_TIMEOUTS,
  retryDelayMs,
  watchBlockers,
  type StepTimeouts,
} from '../../adapters/src/typeorm/timeouts';
import { applicationName } from '../../adapters/src/typeorm/connection';
import { ProgressStore, progressTable, type StepProgress } from '../../adapters/src/typeorm/resume';
import { isDuration } from '../../core/src/migration-file';
import { recogniseTypeormMigrations } from '../../adapters/src/typeorm/typeorm-history';
import { PostgresVersionStore, versionTables, type VersionTables } from '../../adapters/src/typeorm/version-store';
import {
  appliedBy,
  connectProject,
  editedMigrations,
  readProjectMigrations,
  shownPath,
  toolVersion,
  AppliedMigrationEditedError,
  type ProjectContext,
  type ProjectDatabase,
  type ProjectMigrations,
} from './context';
import { toUserError, UserError } from './errors';
import type { Reporter } from './reporter';
import { refuseMultipleHeads } from './heads-report';

import { DEFAULT_LOCK_TIMEOUT_SECONDS } from './options';

export { DEFAULT_LOCK_TIMEOUT_SECONDS };

export interface MigrateOptions {
  /** `--to` (grammar of SPEC.md); default `head`. */
  readonly to?: string;
  /** Print the SQL of the move instead of running it. */
  readonly sql?: boolean;
  /** With `sql`: the revision to start from (`base` for an empty database), so that no database is needed. */
  readonly from?: string;
  readonly lockTimeoutSeconds?: number;
  /** `lock_timeout` of each transactional migration (a PostgreSQL duration: `5s`, `500ms`; `0` waits forever). */
  readonly stepLockTimeout?: string;
  /** `statement_timeout` of each transactional migration (default `0`: no limit). */
  readonly stepStatementTimeout?: string;
  /** Tries after the first for a migration that timed out waiting for a lock (default 3). */
  readonly lockRetries?: number;
  /** The pause before the first retry, doubling after each (default 1000 ms). */
  readonly retryDelayMs?: number;
  /**
   * `advisory`, `lease` or `auto` (default, also from `NX_TYPEORM_MIGRATIONS_LOCK`): how the run holds the migration
   * lock; `auto` takes a lease when a connection pooler sits between this process and the server.
   */
  readonly lock?: string;
  /** Downgrade a database that is not on this machine without asking. */
  readonly yes?: boolean;
  /**
   * Asks the user a yes/no question on a terminal; absent when nobody can answer (CI, a pipe), and then a downgrade of
   * a database that is not on this machine needs `yes`.
   */
  readonly confirm?: (question: string) => Promise<boolean>;
}

export interface MigrateResult {
  readonly success: boolean;
  /** `Database: ...`; absent for `--sql --from`. */
  readonly database?: string;
  readonly target: string;
  readonly headsBefore: readonly string[];
  readonly headsAfter: readonly string[];
  readonly steps: readonly StepOutcome[];
  /** With `sql`: the script. */
  readonly sql?: string;
  /** The error, as the one sentence shown to the user. */
  readonly error?: string;
  /** The error's code (`MIGRATION_FAILED`, ...), when `error` is set. */
  readonly code?: string;
  /** The failure behind `error`, for `--verbose` (left out of `--json`). */
  readonly failure?: Error;
}

/**
 * `migrate`: moves the database to `--to`, up or down as the target requires, under the migration lock, one
 * transaction per migration. With `sql`, prints the SQL of the move instead.
 */
export async function migrate(
  context: ProjectContext,
  options: MigrateOptions,
  reporter: Reporter,
): Promise<MigrateResult> {
  const to = options.to ?? 'head';
  parseTarget(to);
  const timeoutMs = lockTimeoutMs(options.lockTimeoutSeconds);
  const timeouts = stepTimeouts(options);
  const lockMode =
    options.lock !== undefined
      ? lockModeOf(options.lock, `--lock=${options.lock}`)
      : lockModeOf(context.env['NX_TYPEORM_MIGRATIONS_LOCK'], `NX_TYPEORM_MIGRATIONS_LOCK=${context.env['NX_TYPEORM_MIGRATIONS_LOCK']}`);
  const migrations = readProjectMigrations(context);
  // "head" with several heads: name them, their files and authors, and how to join them, before touching a database.
  if (to === 'head') refuseMultipleHeads(context, migrations);
  if (options.sql && options.from !== undefined) return migrateOffline(context, migrations, to, options.from, reporter, timeouts);
  // From the transpile cache, or on another core while this one loads the data source and connects: which files
  // run is known only then.
  if (!options.sql) void transpileAhead(migrations.files, context.migrationsDir);

  const database = await connectProject(context, reporter, timeoutMs);
  try {
    if (options.sql) {
      const heads = await database.store.readHeads();
      const steps = planSteps(migrations.graph, heads, to);
      const sql = await renderSql(database.open.queryRunner, steps, migrations, database.tables, true, timeouts);
      return { success: true, database: database.target.description, target: to, headsBefore: heads, headsAfter: headsAfterOf(steps, heads), steps: [], sql };
    }
    const queryRunner = database.open.queryRunner;
    const lock = await acquireMigrationLock(queryRunner, database.tables.lock, timeoutMs, {
      mode: lockMode,
      localPort: localPortOf(queryRunner),
      openSideSession: () => openSideSession(queryRunner),
    });
    if (lock.kind === 'lease') reporter.info(`Lock: a lease (nx_migrations_lease, renewed while the run lasts): ${lock.reason}.`);
    try {
      return await migrateLocked(context, migrations, database, to, options, reporter, {
        lock,
        timeouts,
        // PGlite has one session: nobody else can hold a lock there, nor be asked about from a second session.
        watch: lock.kind !== 'row',
      });
    } finally {
      // A lost connection already released it; its error must not hide the run's own.
      await lock.release().catch(() => undefined);
    }
  } finally {
    await database.close();
  }
}

function lockModeOf(value: string | undefined, shown: string): LockMode {
  if (value === undefined || value === '') return 'auto';
  if (!(LOCK_MODES as readonly string[]).includes(value)) {
    throw new UserError(`${shown} is not a lock mode; use advisory, lease or auto.`, { code: 'INVALID_LOCK_MODE' });
  }
  return value as LockMode;
}

/** The run's step timeouts and retries, checked before anything connects. */
function stepTimeouts(options: MigrateOptions): StepTimeouts {
  const timeouts = {
    lockTimeout: options.stepLockTimeout ?? DEFAULT_STEP_TIMEOUTS.lockTimeout,
    statementTimeout: options.stepStatementTimeout ?? DEFAULT_STEP_TIMEOUTS.statementTimeout,
  };
  for (const [option, value] of [
    ['--step-lock-timeout', timeouts.lockTimeout],
    ['--step-statement-timeout', timeouts.statementTimeout],
  ] as const) {
    if (!isDuration(value)) {
      throw new UserError(`${option} must be a duration such as 5s, 500ms or 2min (0 for no limit), not ${value}.`, {
        code: 'INVALID_STEP_TIMEOUT',
      });
    }
  }
  const retries = options.lockRetries ?? DEFAULT_LOCK_RETRIES;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new UserError(`--lock-retries must be a whole number of 0 or more, not ${String(options.lockRetries)}.`, {
      code: 'INVALID_LOCK_RETRIES',
    });
  }
  return timeouts;
}

function lockTimeoutMs(seconds: number | undefined): number {
  const value = seconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS;
  if (!Number.isFinite(value) || value < 0) {
    throw new UserError(
      `--lock-timeout must be a number of seconds of 0 or more, not ${String(seconds)}.`,
      { code: 'INVALID_LOCK_TIMEOUT' },
    );
  }
  return value * 1000;
}

async function migrateLocked(
  context: ProjectContext,
  migrations: ProjectMigrations,
  database: ProjectDatabase,
  to: string,
  options: MigrateOptions,
  reporter: Reporter,
  run: { readonly lock: HeldLock; readonly timeouts: StepTimeouts; readonly watch: boolean },
): Promise<MigrateResult> {
  const { store } = database;
  await store.ensureTables();
  // Read under the lock: a run that waited for another one sees what that one applied.
  let heads = await store.readHeads();
  if (heads.length === 0 && !(await store.hasHistory())) {
    heads = await adoptTypeormHistory(context, migrations, database, reporter);
  }
  const edited = editedMigrations(migrations, heads, await store.recordedChecksums());
  if (edited.length > 0) throw new AppliedMigrationEditedError(edited, heads);
  const steps = planSteps(migrations.graph, heads, to);
  const progress = new ProgressStore(database.open.queryRunner, progressTable(schemaOf(database)));
  const partial = await progress.read();
  if (steps.length > 0) for (const row of partial) refuseToLeavePartial(context, migrations, row, steps[0]);
  const base = { database: database.target.description, target: to, headsBefore: heads };
  if (steps.length === 0) {
    reporter.info(`Nothing to do: the database is already at ${formatHeads(heads)}.`);
    return { ...base, success: true, headsAfter: heads, steps: [] };
  }
  const downgrades = steps.filter((step) => step.direction === 'down').length;
  if (downgrades > 0 && !database.local && !options.yes) {
    const question = `Downgrade ${database.target.description.replace(/^Database: /, '')} by ${downgrades} migration(s) to ${to}?`;
    if (!options.confirm) {
      throw new UserError(
        `Refusing to downgrade a database that is not on this machine without confirmation; run it from a terminal ` +
          `to confirm, or pass --yes.`,
        { code: 'DOWNGRADE_NOT_CONFIRMED' },
      );
    }
    if (!(await options.confirm(question))) {
      reporter.info('Nothing done: the downgrade was not confirmed.');
      return { ...base, success: false, headsAfter: heads, steps: [], error: 'The downgrade was not confirmed.', code: 'DOWNGRADE_NOT_CONFIRMED' };
    }
  }
  reporter.info(`Migrating from ${formatHeads(heads)} to ${to} (${steps.length} migration${steps.length === 1 ? '' : 's'}):`);
  const blockers = run.watch ? watchBlockers(database.open.queryRunner, applicationName()) : undefined;
  const firstDelayMs = options.retryDelayMs;
  const result = await runSteps({
    steps,
    migrations: migrations.byRevision,
    queryRunner: database.open.queryRunner,
    store,
    load: loadMigrationFunctionsAhead,
    appliedBy: appliedBy(),
    toolVersion: toolVersion(),
    timeouts: run.timeouts,
    lockRetries: options.lockRetries ?? DEFAULT_LOCK_RETRIES,
    retryDelayMs: (attempt) => retryDelayMs(attempt, firstDelayMs),
    blockers,
    progress: { store: progress, partial },
    onStepStart: (step) => {
      if (run.lock.lost()) {
        throw new UserError(
          `The migration lock's lease could not be renewed and may be held by another run now, so this run stopped ` +
            `before ${step.revision}; the migrations before it are applied. Check the connection to the database and ` +
            `run migrate again.`,
          { code: 'LOCK_LOST' },
        );
      }
      const resumed = partial.find((row) => row.revision === step.revision && row.direction === step.direction);
      if (resumed) {
        reporter.info(
          `  Resuming ${step.revision} after statement ${resumed.statementsDone}, which an earlier run completed ` +
            `(transactional = false).`,
        );
      }
    },
    onStepRetry: (retry) => reporter.warn(retryLine(retry)),
    onStepDone: (outcome) => reporter.step(outcome),
  }).finally(() => blockers?.close());
  // The compiled migrations, for the next run (only when some were compiled afresh).
  saveCompiledCode();
  const headsAfter = await store.readHeads();
  if (result.failure) {
    const { message, code } = toUserError(result.failure, context);
    return { ...base, success: false, headsAfter, steps: result.outcomes, error: message, code, failure: result.failure };
  }
  reporter.info(`Done: the database is at ${formatHeads(headsAfter)}.`);
  return { ...base, success: true, headsAfter, steps: result.outcomes };
}

/**
 * First run on a database that TypeORM's CLI migrated, in a project whose TypeORM migrations were imported
 * (`import-typeorm`): stamp the imported revision that TypeORM's `migrations` table stands at.
 */
async function adoptTypeormHistory(
  context: ProjectContext,
  migrations: ProjectMigrations,
  database: ProjectDatabase,
  reporter: Reporter,
): Promise<string[]> {
  const recognised = await recogniseImportedHistory(migrations, database);
  if (!recognised) return [];
  const heads = [recognised.revision];
  const applied = appliedRevisions(migrations.graph, heads);
  await database.store.record({
    removeHeads: [],
    addHeads: heads,
    entries: applied.map((revision) => {
      const file = migrations.byRevision.get(revision)!;
      return {
        revision,
        direction: 'stamp' as const,
        message: file.message,
        checksum: file.checksum,
        startedAt: new Date(),
        durationMs: 0,
        appliedBy: appliedBy(),
        toolVersion: toolVersion(),
      };
    }),
  });
  reporter.info(
    `Adopted TypeORM's history: ${recognised.typeormNames.length} TypeORM migration(s) already ran, so the database is ` +
      `stamped at ${recognised.revision} (${shownPath(context, migrations.byRevision.get(recognised.revision)!.file)}).`,
  );
  return heads;
}

/**
 * The imported revision that TypeORM's own `migrations` table stands at, read only: `migrate` stamps it on its
 * first run, `migrate-status` shows it before that run.
 */
export async function recogniseImportedHistory(
  migrations: ProjectMigrations,
  database: ProjectDatabase,
): Promise<{ revision: string; typeormNames: readonly string[] } | undefined> {
  const options = database.open.dataSource.options as { migrationsTableName?: string; schema?: string };
  return recogniseTypeormMigrations(database.open.queryRunner, options, migrations.files);
}

function schemaOf(database: ProjectDatabase): string | undefined {
  return (database.open.dataSource.options as { schema?: string }).schema;
}

/**
 * A migration outside a transaction that an earlier run left partly applied must be finished (or undone by hand)
 * before anything else moves the database. (Its file may change after the last completed statement, to fix the one
 * that failed; the runner checks that the statements it skips are still the ones that ran.)
 */
function refuseToLeavePartial(context: ProjectContext, migrations: ProjectMigrations, row: StepProgress, first: Step): void {
  const file = migrations.byRevision.get(row.revision);
  const where = file ? `${row.revision} (${shownPath(context, file.file)})` : row.revision;
  const ran = `${row.statementsDone} of its statements ran without a transaction, the last ${truncated(row.lastStatement)}`;
  const forget = `DELETE FROM nx_migrations_progress WHERE revision = '${row.revision}'`;
  if (first.revision !== row.revision || first.direction !== row.direction) {
    throw new UserError(
      `${row.direction === 'up' ? 'Upgrade to' : 'Downgrade of'} ${where} was partly applied by an earlier run ` +
        `(${ran}); run migrate --to=${row.direction === 'up' ? row.revision : `${row.revision}-1`} first to finish it, ` +
        `or undo those statements by hand and then ${forget}.`,
      { code: 'MIGRATION_PARTLY_APPLIED' },
    );
  }
}

function truncated(sql: string): string {
  const line = sql.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

function retryLine(retry: StepRetry): string {
  const holder = retry.blockers[0];
  const by = holder ? ` held by process ${holder.pid}${holder.application ? ` (${holder.application})` : ''}` : '';
  return (
    `  ${retry.step.revision} timed out waiting for a lock${by}; rolled back, trying again in ` +
    `${(retry.delayMs / 1000).toFixed(1)} s (try ${retry.attempt} of ${retry.attempts}).`
  );
}

export function formatHeads(heads: readonly string[]): string {
  return heads.length === 0 ? 'base' : heads.join(', ');
}

function headsAfterOf(steps: readonly Step[], heads: readonly string[]): readonly string[] {
  return steps.length > 0 ? steps[steps.length - 1].headsAfter : heads;
}

/** `--sql --from=REV`: the script of the move from a given revision, with no database at all. */
async function migrateOffline(
  context: ProjectContext,
  migrations: ProjectMigrations,
  to: string,
  from: string,
  reporter: Reporter,
  timeouts: StepTimeouts,
): Promise<MigrateResult> {
  const heads = from.trim() === 'base' ? [] : from.split(',').map((reference) => migrations.graph.resolveRevision(reference.trim()));
  const steps = planSteps(migrations.graph, heads, to);
  const dataSource = offlineDataSource(await loadDataSource(context.dataSourceFile));
  const tables = versionTables((dataSource.options as { schema?: string }).schema);
  const queryRunner = dataSource.createQueryRunner();
  const sql = await renderSql(queryRunner, steps, migrations, tables, heads.length === 0, timeouts);
  return { success: true, target: to, headsBefore: heads, headsAfter: headsAfterOf(steps, heads), steps: [], sql };
}

/**
 * The SQL the steps would run, captured by a recording query runner: the migrations' own statements, each in its
 * transaction, with the version-table statements, as a script for psql.
 */
async function renderSql(
  queryRunner: QueryRunner,
  steps: readonly Step[],
  migrations: ProjectMigrations,
  tables: VersionTables,
  createTables: boolean,
  timeouts: StepTimeouts,
): Promise<string> {
  const recorder = recordQueries(queryRunner);
  try {
    const store = new PostgresVersionStore(queryRunner, tables);
    if (createTables) await store.ensureTables();
    const result = await runSteps({
      steps,
      migrations: migrations.byRevision,
      queryRunner,
      store,
      load: loadMigrationFunctions,
      appliedBy: appliedBy(),
      toolVersion: toolVersion(),
      measure: false,
      joinCommits: false,
      timeouts,
      onStepStart: (step, migration) =>
        recorder.statements.push(
          `-- ${step.direction === 'up' ? 'Upgrade' : 'Downgrade'} ${step.revision}: ${migration.message.replace(/\n/g, ' ')}`,
        ),
    });
    if (result.failure) throw result.failure;
  } finally {
    recorder.restore();
  }
  return recorder.statements
    .map((statement) => (statement.startsWith('-- ') ? `\n${statement}` : `${statement.trim().replace(/;\s*$/, '')};`))
    .join('\n')
    .trim();
}
