import type { QueryRunner } from 'typeorm';
import { parseTarget } from '../../core/src/target';
import { planSteps, type Step } from '../../core/src/plan';
import { loadMigrationFunctions, loadMigrationFunctionsAhead } from '../../adapters/src/fs/migration-directory';
import { saveCompiledCode, transpileAhead } from '../../adapters/src/typescript/typescript-loader';
import { loadDataSource, offlineDataSource } from '../../adapters/src/typeorm/data-source';
import { recordQueries, runSteps, type StepOutcome } from '../../adapters/src/typeorm/runner';
import { DEFAULT_LOCK_RETRIES, DEFAULT_STEP_TIMEOUTS, retryDelayMs, type StepTimeouts } from '../../adapters/src/typeorm/timeouts';
import { isDuration } from '../../core/src/migration-file';
import { PostgresVersionStore, versionTables, type VersionStore } from '../../adapters/src/typeorm/version-store';
import {
  appliedBy,
  readProjectMigrations,
  toolVersion,
  type ProjectContext,
  type ProjectMigrations,
} from './context';
import { toUserError, UserError } from './errors';
import { formatHeads, lockModeOf, moveDatabase } from './move';
import { targetFactoryOf } from './postgres-target';
import type { Reporter } from './reporter';
import { refuseMultipleHeads } from './heads-report';

import { DEFAULT_LOCK_TIMEOUT_SECONDS } from './options';

export { DEFAULT_LOCK_TIMEOUT_SECONDS, formatHeads };

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
  const lockMode = lockModeOf(context, options.lock);
  const migrations = readProjectMigrations(context);
  // "head" with several heads: name them, their files and authors, and how to join them, before touching a database.
  if (to === 'head') refuseMultipleHeads(context, migrations);
  if (options.sql && options.from !== undefined) return migrateOffline(context, migrations, to, options.from, reporter, timeouts);
  // From the transpile cache, or on another core while this one loads the data source and connects: which files
  // run is known only then.
  if (!options.sql) void transpileAhead(migrations.files, context.migrationsDir);

  const target = await targetFactoryOf(context)(context, reporter, timeoutMs);
  try {
    if (options.sql) {
      const heads = await target.store.readHeads();
      const steps = planSteps(migrations.graph, heads, to);
      const sql = await renderSql(target.session, target.store, steps, migrations, true, timeouts);
      return { success: true, database: target.description, target: to, headsBefore: heads, headsAfter: headsAfterOf(steps, heads), steps: [], sql };
    }
    const base = { database: target.description, target: to };
    const firstDelayMs = options.retryDelayMs;
    let declined = false;
    const moved = await moveDatabase(
      { context, target, source: { ...migrations, load: loadMigrationFunctionsAhead }, lockMode, lockTimeoutMs: timeoutMs, reporter },
      {
        kind: 'run',
        to,
        timeouts,
        lockRetries: options.lockRetries ?? DEFAULT_LOCK_RETRIES,
        retryDelayMs: (attempt) => retryDelayMs(attempt, firstDelayMs),
        beforeRun: async (steps) => {
          const downgrades = steps.filter((step) => step.direction === 'down').length;
          if (downgrades === 0 || target.local || options.yes) return true;
          const question = `Downgrade ${target.description.replace(/^Database: /, '')} by ${downgrades} migration(s) to ${to}?`;
          if (!options.confirm) {
            throw new UserError(
              `Refusing to downgrade a database that is not on this machine without confirmation; run it from a terminal ` +
                `to confirm, or pass --yes.`,
              { code: 'DOWNGRADE_NOT_CONFIRMED' },
            );
          }
          declined = !(await options.confirm(question));
          if (declined) reporter.info('Nothing done: the downgrade was not confirmed.');
          return !declined;
        },
      },
    );
    const result = { ...base, headsBefore: moved.headsBefore, headsAfter: moved.headsAfter, steps: moved.steps };
    if (declined) {
      return { ...result, success: false, error: 'The downgrade was not confirmed.', code: 'DOWNGRADE_NOT_CONFIRMED' };
    }
    // The compiled migrations, for the next run (only when some were compiled afresh).
    if (moved.steps.length > 0) saveCompiledCode();
    if (moved.failure) {
      const { message, code } = toUserError(moved.failure, context);
      return { ...result, success: false, error: message, code, failure: moved.failure };
    }
    return { ...result, success: true };
  } finally {
    await target.close();
  }
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
  const store = new PostgresVersionStore(queryRunner, tables);
  const sql = await renderSql(queryRunner, store, steps, migrations, heads.length === 0, timeouts);
  return { success: true, target: to, headsBefore: heads, headsAfter: headsAfterOf(steps, heads), steps: [], sql };
}

/**
 * The SQL the steps would run, captured by a recording query runner: the migrations' own statements, each in its
 * transaction, with the version-table statements, as a script for psql.
 */
async function renderSql(
  queryRunner: QueryRunner,
  store: VersionStore,
  steps: readonly Step[],
  migrations: ProjectMigrations,
  createTables: boolean,
  timeouts: StepTimeouts,
): Promise<string> {
  const recorder = recordQueries(queryRunner);
  try {
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
