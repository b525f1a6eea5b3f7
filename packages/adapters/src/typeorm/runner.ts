import type { QueryRunner } from 'typeorm';
import type { Step } from '../../../core/src/plan';
import type { MigrationFile, MigrationFunction, MigrationFunctions } from '../fs/migration-directory';
import { recordProgress, type ProgressStore, type StepProgress } from './resume';
import { isLockNotAvailable, timeoutStatements, type Blocker, type BlockerWatch, type StepTimeouts } from './timeouts';
import type { HistoryEntry, VersionStore } from './version-store';
import { CodedError } from '../../../core/src/errors';

/**
 * The one routine that moves a database: every verb (upgrade, downgrade, `--sql`) only decides the steps.
 *
 * Each step runs in its own transaction unless its file says `transactional = false`, and the version rows and the
 * history entry are written in that same transaction: a failure rolls back that migration alone, keeps the ones
 * before it, and reports the revision, the file and the statement that failed.
 *
 * Between two transactional steps, the first one's version write, its `COMMIT` and the second one's
 * `START TRANSACTION` travel as one query: the same transactions as separate statements would make, two round trips
 * fewer per migration, which on a run of small migrations is most of the time not spent in PostgreSQL itself.
 *
 * A transactional step runs with `SET LOCAL lock_timeout` and `statement_timeout` (the run's, or the file's own
 * `lockTimeout`/`statementTimeout` exports). A step whose lock wait times out is rolled back and tried again after a
 * growing pause, a bounded number of times; the last failure names the sessions that held the lock.
 */

export type StepStatus = 'done' | 'failed' | 'not-run';

export interface StepOutcome {
  readonly direction: 'up' | 'down';
  readonly revision: string;
  readonly message: string;
  readonly file: string;
  readonly status: StepStatus;
  readonly durationMs?: number;
}

/** A migration failed; the steps before it stay applied. */
export class MigrationStepError extends CodedError {
  readonly code = 'MIGRATION_FAILED';
  constructor(
    readonly direction: 'up' | 'down',
    readonly revision: string,
    readonly file: string,
    /** The statement the database rejected, when the failure came from one. */
    readonly statement: string | undefined,
    /** The first line of the error: the database's message, or `TypeError: ...` when the migration's code threw. */
    readonly detail: string,
    /** false: the migration ran outside a transaction, so statements before the failing one stayed applied. */
    readonly rolledBack: boolean,
    override readonly cause: unknown,
    /** The step timed out waiting for a lock on every try: how many tries, and who held the lock. */
    readonly lockWait?: LockWait,
    /** A step outside a transaction whose completed statements are recorded: the next run resumes after them. */
    readonly resumable?: { readonly statementsDone: number },
    /**
     * The migration's own code threw (a JavaScript error, no statement failed): the last statement it ran before
     * throwing, or undefined when it threw before running any.
     */
    readonly thrownByCode?: { readonly after: string | undefined },
  ) {
    super(`${direction === 'up' ? 'Upgrade' : 'Downgrade'} ${revision} (${file}) failed: ${detail}`);
  }
}

/** A step that never got its lock. */
export interface LockWait {
  readonly attempts: number;
  /** The sessions seen blocking the step during its last try; empty when none was seen in time. */
  readonly blockers: readonly Blocker[];
}

/** A step timed out on a lock and is tried again after `delayMs`. */
export interface StepRetry {
  readonly step: Step;
  readonly migration: MigrationFile;
  /** The try that comes next (2 for the first retry). */
  readonly attempt: number;
  readonly attempts: number;
  readonly delayMs: number;
  readonly blockers: readonly Blocker[];
}

export interface RunResult {
  readonly outcomes: readonly StepOutcome[];
  readonly failure?: MigrationStepError;
}

export interface RunnerInput {
  readonly steps: readonly Step[];
  readonly migrations: ReadonlyMap<string, MigrationFile>;
  readonly queryRunner: QueryRunner;
  readonly store: VersionStore;
  readonly load: (migration: MigrationFile) => MigrationFunctions | Promise<MigrationFunctions>;
  readonly appliedBy: string;
  readonly toolVersion: string;
  /** false: record `now()` as the start (SQL scripts) and no duration. */
  readonly measure?: boolean;
  /**
   * true (default): join each transactional step's commit with the next transactional step's start (see above).
   * false: every statement in a query of its own, as `--sql` prints them.
   */
  readonly joinCommits?: boolean;
  /** The timeouts of each transactional step; a file's own exports win. Absent: only the files' own are set. */
  readonly timeouts?: StepTimeouts;
  /** Tries after the first for a transactional step that timed out on a lock; default 0. */
  readonly lockRetries?: number;
  /** The pause before retry `attempt` (1, 2...). */
  readonly retryDelayMs?: (attempt: number) => number;
  /**
   * Records each completed statement of a step outside a transaction, and resumes a step an earlier run left
   * partly applied (`partial`, by `revision:direction`).
   */
  readonly progress?: { readonly store: ProgressStore; readonly partial: readonly StepProgress[] };
  /** Finds who blocks a step while it runs, for the message of a step that never gets its lock. */
  readonly blockers?: BlockerWatch;
  readonly onStepStart?: (step: Step, migration: MigrationFile) => void;
  readonly onStepRetry?: (retry: StepRetry) => void;
  readonly onStepDone?: (outcome: StepOutcome) => void;
}

/** A step ready to run: its file loaded, and the version rows it deletes and inserts. */
interface LoadedStep {
  readonly step: Step;
  readonly migration: MigrationFile;
  readonly run: MigrationFunction;
  readonly removeHeads: readonly string[];
  readonly addHeads: readonly string[];
  /** The `SET LOCAL` statements of its transaction (none for a step outside a transaction). */
  readonly setTimeouts: readonly string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What follows a step's version rows when the next step joins its transaction start to this step's commit. */
const COMMIT_AND_BEGIN: readonly string[] = ['COMMIT', 'START TRANSACTION'];

/**
 * Runs the steps in order, stopping at the first failure. Every file is loaded before anything runs, so a file that
 * does not compile changes nothing. The loop itself does only what a step needs: on a run of small migrations, each
 * microsecond here is paid a thousand times while PostgreSQL waits.
 */
export async function runSteps(input: RunnerInput): Promise<RunResult> {
  const { steps, queryRunner, store } = input;
  const measure = input.measure !== false;
  const joinCommits = input.joinCommits !== false;
  const loaded: LoadedStep[] = [];
  for (const step of steps) {
    const migration = input.migrations.get(step.revision);
    if (!migration) throw new Error(`No migration file declares revision ${step.revision}`);
    const functions = await input.load(migration);
    loaded.push({
      step,
      migration,
      run: step.direction === 'up' ? functions.up : functions.down,
      removeHeads: step.headsBefore.filter((head) => !step.headsAfter.includes(head)),
      addHeads: step.headsAfter.filter((head) => !step.headsBefore.includes(head)),
      setTimeouts: migration.transactional ? timeoutsOf(migration, input.timeouts) : [],
    });
  }
  const outcomes: StepOutcome[] = [];
  const tracker = trackStatements(queryRunner);
  // A transaction the previous step's commit query already started for this step.
  let openedByPrevious = false;
  try {
    for (let index = 0; index < loaded.length; index++) {
      const { step, migration, run, removeHeads, addHeads, setTimeouts } = loaded[index];
      input.onStepStart?.(step, migration);
      const attempts = migration.transactional ? 1 + Math.max(0, input.lockRetries ?? 0) : 1;
      let startedMs = 0;
      for (let attempt = 1; ; attempt++) {
        const startedAt = measure ? new Date() : undefined;
        startedMs = performance.now();
        tracker.reset();
        let phase: 'migration' | 'version' = 'migration';
        let clearProgress: readonly string[] = [];
        let recorded: { completed(): number } | undefined;
        try {
          if (migration.transactional && !openedByPrevious) {
            await queryRunner.startTransaction();
            if (setTimeouts.length > 0) await queryRunner.query(setTimeouts.join(';\n'));
          }
          openedByPrevious = false;
          input.blockers?.start();
          if (!migration.transactional && input.progress) {
            const { store: progress, partial } = input.progress;
            await progress.ensureTable();
            const resumeFrom = partial.find((row) => row.revision === step.revision && row.direction === step.direction);
            const recorder = (recorded = recordProgress(queryRunner, progress, {
              revision: step.revision,
              direction: step.direction,
              checksum: migration.checksum,
              resumeFrom,
            }));
            try {
              await run(queryRunner);
            } finally {
              recorder.restore();
            }
            clearProgress = [progress.clear(step.revision, step.direction)];
          } else {
            await run(queryRunner);
          }
          input.blockers?.stop();
          phase = 'version';
          const entry: HistoryEntry = {
            revision: step.revision,
            direction: step.direction,
            message: migration.message,
            checksum: migration.checksum,
            startedAt,
            durationMs: measure ? Math.round(performance.now() - startedMs) : 0,
            appliedBy: input.appliedBy,
            toolVersion: input.toolVersion,
          };
          const change = { removeHeads, addHeads, entries: [entry] };
          const next = loaded[index + 1];
          if (joinCommits && migration.transactional && next?.migration.transactional && inPlainTransaction(queryRunner)) {
            // TypeORM's transaction flag stays set: the transaction it names is now the next step's.
            await store.record(change, [...COMMIT_AND_BEGIN, ...next.setTimeouts]);
            openedByPrevious = true;
          } else {
            await store.record(change, clearProgress);
            if (migration.transactional) await queryRunner.commitTransaction();
          }
          break;
        } catch (error) {
          const blockers = input.blockers?.stop() ?? [];
          // Read before the rollback, which goes through the same `query`. A JavaScript error of the migration's own
          // code names no statement: the last one that ran succeeded (a test once showed "in statement ROLLBACK").
          const lastStatement = tracker.last();
          const fromDatabase = isDatabaseError(error);
          const statement = (error as { query?: string }).query ?? (fromDatabase ? lastStatement : undefined);
          openedByPrevious = false;
          if (queryRunner.isTransactionActive) {
            await queryRunner.rollbackTransaction().catch(() => undefined);
          }
          const lockTimedOut = phase === 'migration' && migration.transactional && isLockNotAvailable(error);
          if (lockTimedOut && attempt < attempts) {
            const delayMs = input.retryDelayMs?.(attempt) ?? 0;
            input.onStepRetry?.({ step, migration, attempt: attempt + 1, attempts, delayMs, blockers });
            await sleep(delayMs);
            continue;
          }
          const failed = outcomeOf(step, migration, 'failed');
          outcomes.push(failed);
          input.onStepDone?.(failed);
          for (const rest of loaded.slice(index + 1)) outcomes.push(outcomeOf(rest.step, rest.migration, 'not-run'));
          return {
            outcomes,
            failure: new MigrationStepError(
              step.direction,
              step.revision,
              migration.file,
              phase === 'migration' ? statement : undefined,
              fromDatabase ? withHint(error) : firstLineWithName(error),
              migration.transactional,
              error,
              lockTimedOut ? { attempts: attempt, blockers } : undefined,
              recorded ? { statementsDone: recorded.completed() } : undefined,
              phase === 'migration' && !fromDatabase ? { after: lastStatement } : undefined,
            ),
          };
        }
      }
      const done = outcomeOf(step, migration, 'done', measure ? Math.round(performance.now() - startedMs) : undefined);
      outcomes.push(done);
      input.onStepDone?.(done);
    }
  } finally {
    tracker.restore();
  }
  return { outcomes };
}

/** The `SET LOCAL` statements of a transactional step: the file's own timeouts, else the run's. */
function timeoutsOf(migration: MigrationFile, timeouts: StepTimeouts | undefined): string[] {
  const lockTimeout = migration.lockTimeout ?? timeouts?.lockTimeout;
  const statementTimeout = migration.statementTimeout ?? timeouts?.statementTimeout;
  const [setLock, setStatement] = timeoutStatements({ lockTimeout: lockTimeout ?? '', statementTimeout: statementTimeout ?? '' });
  return [...(lockTimeout === undefined ? [] : [setLock]), ...(statementTimeout === undefined ? [] : [setStatement])];
}

/**
 * The query runner is in the one transaction `startTransaction` opened, not in a savepoint a migration left open
 * (TypeORM counts nesting in `transactionDepth`, which 0.3.20 has too) and not outside a transaction a migration
 * committed itself.
 */
function inPlainTransaction(queryRunner: QueryRunner): boolean {
  const depth = (queryRunner as { transactionDepth?: number }).transactionDepth;
  return queryRunner.isTransactionActive && (depth === undefined || depth === 1);
}

function outcomeOf(step: Step, migration: MigrationFile, status: StepStatus, durationMs?: number): StepOutcome {
  return { direction: step.direction, revision: step.revision, message: migration.message, file: migration.file, status, durationMs };
}

/**
 * The error came from the database (TypeORM's `QueryFailedError` carries the query; pg's errors a SQLSTATE or the
 * driver's error), not from the migration's own JavaScript.
 */
function isDatabaseError(error: unknown): boolean {
  const { query, driverError, code } = (error ?? {}) as { query?: unknown; driverError?: unknown; code?: unknown };
  return typeof query === 'string' || driverError !== undefined || (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code));
}

/**
 * The database's message with PostgreSQL's hint, when it gave one: `out of shared memory (You might need to increase
 * max_locks_per_transaction)` says what to do where the message alone does not. TypeORM copies the driver error's
 * fields onto its own error; PGlite's and pg's errors carry `hint` themselves.
 */
function withHint(error: unknown): string {
  const { hint, driverError } = (error ?? {}) as { hint?: unknown; driverError?: { hint?: unknown } };
  const given = typeof hint === 'string' ? hint : driverError?.hint;
  const line = firstLine(error);
  if (typeof given !== 'string' || given.trim() === '') return line;
  return `${line} (${given.trim().split('\n')[0].replace(/\.$/, '')})`;
}

/** `TypeError: x is not a function`: what the migration's code threw, with the kind of error. */
function firstLineWithName(error: unknown): string {
  const line = firstLine(error);
  // Not `instanceof Error`: a migration runs as a `vm.Script`, whose errors may come from another realm.
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name !== 'Error' && !line.startsWith(name) ? `${name}: ${line}` : line;
}

function firstLine(error: unknown): string {
  const own = (error as { message?: unknown } | null)?.message;
  const message = typeof own === 'string' ? own : String(error);
  return message.split('\n')[0].trim();
}

interface StatementTracker {
  last(): string | undefined;
  reset(): void;
  restore(): void;
}

/** Wraps `queryRunner.query` to remember the statement last sent: the one to blame when a migration fails. */
function trackStatements(queryRunner: QueryRunner): StatementTracker {
  const own = Object.prototype.hasOwnProperty.call(queryRunner, 'query');
  const original = queryRunner.query;
  let last: string | undefined;
  queryRunner.query = function (this: QueryRunner, sql: string, ...rest: unknown[]) {
    last = sql;
    return (original as (...args: unknown[]) => Promise<unknown>).call(this, sql, ...rest);
  } as QueryRunner['query'];
  return {
    last: () => last,
    reset: () => {
      last = undefined;
    },
    restore: () => {
      if (own) queryRunner.query = original;
      else delete (queryRunner as Partial<QueryRunner>).query;
    },
  };
}

/**
 * Turns a query runner into a recorder for `--sql`: every query is captured instead of sent, and answers with no
 * rows. Returns the captured statements (bind parameters inlined) as they come, and a function restoring the runner.
 */
export function recordQueries(queryRunner: QueryRunner): { statements: string[]; restore(): void } {
  const statements: string[] = [];
  const own = Object.prototype.hasOwnProperty.call(queryRunner, 'query');
  const original = queryRunner.query;
  queryRunner.query = (async (sql: string, parameters?: unknown[], structured?: boolean) => {
    statements.push(parameters && parameters.length > 0 ? inlineParameters(sql, parameters) : sql);
    return structured ? { records: [], raw: [] } : [];
  }) as QueryRunner['query'];
  return {
    statements,
    restore: () => {
      if (own) queryRunner.query = original;
      else delete (queryRunner as Partial<QueryRunner>).query;
    },
  };
}

/** `$1`, `$2`... replaced by SQL literals, for a printed script. */
export function inlineParameters(sql: string, parameters: readonly unknown[]): string {
  return sql.replace(/\$(\d+)(?!\d)/g, (placeholder, digits: string) => {
    const index = Number(digits) - 1;
    return index < parameters.length ? literalOf(parameters[index]) : placeholder;
  });
}

function literalOf(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return `'${value.toISOString()}'`;
  if (Array.isArray(value)) return `ARRAY[${value.map(literalOf).join(', ')}]`;
  if (typeof value === 'object') return `'${JSON.stringify(value).replace(/'/g, "''")}'`;
  return `'${String(value).replace(/'/g, "''")}'`;
}
