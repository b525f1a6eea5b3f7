import type { QueryRunner } from 'typeorm';
import type { Step } from '../../../core/src/plan';
import type { MigrationFile, MigrationFunction, MigrationFunctions } from '../fs/migration-directory';
import type { HistoryEntry, VersionStore } from './version-store';

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
export class MigrationStepError extends Error {
  override readonly name = 'MigrationStepError';
  constructor(
    readonly direction: 'up' | 'down',
    readonly revision: string,
    readonly file: string,
    /** The statement the database rejected, when the failure came from one. */
    readonly statement: string | undefined,
    readonly detail: string,
    /** false: the migration ran outside a transaction, so statements before the failing one stayed applied. */
    readonly rolledBack: boolean,
    override readonly cause: unknown,
  ) {
    super(`${direction === 'up' ? 'Upgrade' : 'Downgrade'} ${revision} (${file}) failed: ${detail}`);
  }
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
  readonly onStepStart?: (step: Step, migration: MigrationFile) => void;
  readonly onStepDone?: (outcome: StepOutcome) => void;
}

/** A step ready to run: its file loaded, and the version rows it deletes and inserts. */
interface LoadedStep {
  readonly step: Step;
  readonly migration: MigrationFile;
  readonly run: MigrationFunction;
  readonly removeHeads: readonly string[];
  readonly addHeads: readonly string[];
}

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
    });
  }
  const outcomes: StepOutcome[] = [];
  const tracker = trackStatements(queryRunner);
  // A transaction the previous step's commit query already started for this step.
  let openedByPrevious = false;
  try {
    for (let index = 0; index < loaded.length; index++) {
      const { step, migration, run, removeHeads, addHeads } = loaded[index];
      input.onStepStart?.(step, migration);
      const startedAt = measure ? new Date() : undefined;
      const startedMs = performance.now();
      tracker.reset();
      let phase: 'migration' | 'version' = 'migration';
      try {
        if (migration.transactional && !openedByPrevious) await queryRunner.startTransaction();
        openedByPrevious = false;
        await run(queryRunner);
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
        if (
          joinCommits &&
          migration.transactional &&
          loaded[index + 1]?.migration.transactional &&
          inPlainTransaction(queryRunner)
        ) {
          // TypeORM's transaction flag stays set: the transaction it names is now the next step's.
          await store.record(change, COMMIT_AND_BEGIN);
          openedByPrevious = true;
        } else {
          await store.record(change);
          if (migration.transactional) await queryRunner.commitTransaction();
        }
      } catch (error) {
        if (queryRunner.isTransactionActive) {
          await queryRunner.rollbackTransaction().catch(() => undefined);
        }
        const failed = outcomeOf(step, migration, 'failed');
        outcomes.push(failed);
        input.onStepDone?.(failed);
        for (const rest of loaded.slice(index + 1)) outcomes.push(outcomeOf(rest.step, rest.migration, 'not-run'));
        const statement = (error as { query?: string }).query ?? tracker.last();
        return {
          outcomes,
          failure: new MigrationStepError(
            step.direction,
            step.revision,
            migration.file,
            phase === 'migration' ? statement : undefined,
            firstLine(error),
            migration.transactional,
            error,
          ),
        };
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

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
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
