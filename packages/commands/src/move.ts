import type { QueryRunner } from 'typeorm';
import { appliedRevisions, planStamp, planSteps, type Step } from '../../core/src/plan';
import type { ParsedTarget } from '../../core/src/target';
import type { MigrationFile, MigrationFunctions } from '../../adapters/src/fs/migration-directory';
import { LOCK_MODES, type HeldLock, type LockMode } from '../../adapters/src/typeorm/lock';
import type { ProgressStore, StepProgress } from '../../adapters/src/typeorm/resume';
import { runSteps, type RunResult, type RunnerInput, type StepOutcome, type StepRetry } from '../../adapters/src/typeorm/runner';
import type { BlockerWatch, StepTimeouts } from '../../adapters/src/typeorm/timeouts';
import type { HistoryEntry, VersionStore } from '../../adapters/src/typeorm/version-store';
import {
  appliedBy,
  editedMigrations,
  shownPath,
  toolVersion,
  AppliedMigrationEditedError,
  type ProjectContext,
  type ProjectMigrations,
} from './context';
import { UserError } from './errors';
import type { Reporter } from './reporter';

/**
 * The one routine that moves a database, for `migrate` and `migrate-stamp`, and the one place steps run, for them,
 * the `migrate-check` stairway and drift's shadow replay. Commands do not build what they work on: a `MoveTarget`
 * (the database, its version store, its lock) comes from a `MoveTargetFactory`, PostgreSQL's by default
 * (`postgres-target.ts`), and the migrations from a `MigrationSource`. A second dialect supplies its own factory.
 *
 * Under the lock, the routine creates the version tables, reads the heads (a run that waited sees what the other
 * applied), and applies the rules that hold for every move: an applied migration whose file was edited is refused
 * (a stamp is how an edit is accepted, so a stamp skips this rule), a step left partly applied must be finished
 * first, a lease that could not be renewed stops the run before its next step.
 */

/** The database a command moves: its session, where it records versions, and how its lock is taken. */
export interface MoveTarget {
  /** `Database: ...`, as announced when the target was opened. */
  readonly description: string;
  /** On this machine: a downgrade elsewhere asks first. */
  readonly local: boolean;
  /** The session every step and every version change runs on. */
  readonly session: QueryRunner;
  readonly store: VersionStore;
  /** Progress of steps outside a transaction, for resuming one left partly applied. */
  readonly progress: ProgressStore;
  /** Takes the migration lock, waiting up to `timeoutMs` and then naming its holder. */
  acquireLock(mode: LockMode, timeoutMs: number): Promise<HeldLock>;
  /** Watches who blocks a step while it runs (on a second session); absent where nobody else can. */
  watchBlockers?(): BlockerWatch;
  /** The imported revision a TypeORM-migrated database stands at (`import-typeorm`), read only. */
  recogniseImportedHistory?(files: readonly MigrationFile[]): Promise<{ revision: string; typeormNames: readonly string[] } | undefined>;
  close(): Promise<void>;
}

/** Opens the database of a project, announcing it (`Database: ...`) and waiting up to `timeoutMs` while it is busy. */
export type MoveTargetFactory = (context: ProjectContext, reporter: Reporter, timeoutMs: number) => Promise<MoveTarget>;

/** The migrations a command moves with: the files, their graph, and how a file's `up` and `down` are loaded. */
export interface MigrationSource extends ProjectMigrations {
  load(migration: MigrationFile): MigrationFunctions | Promise<MigrationFunctions>;
}

/** Where steps run: a target's session and version store (a shadow's may keep its versions in memory). */
export interface StepTarget {
  readonly session: QueryRunner;
  readonly store: VersionStore;
}

export type StepRunOptions = Pick<
  RunnerInput,
  | 'timeouts'
  | 'lockRetries'
  | 'retryDelayMs'
  | 'progress'
  | 'blockers'
  | 'joinCommits'
  | 'measure'
  | 'onStepStart'
  | 'onStepRetry'
  | 'onStepDone'
>;

/** Runs `steps` on the target's session through the runner, recording each in its version store. */
export function applySteps(
  target: StepTarget,
  source: MigrationSource,
  steps: readonly Step[],
  options: StepRunOptions = {},
): Promise<RunResult> {
  return runSteps({
    ...options,
    steps,
    migrations: source.byRevision,
    queryRunner: target.session,
    store: target.store,
    load: (migration) => source.load(migration),
    appliedBy: appliedBy(),
    toolVersion: toolVersion(),
  });
}

/** `--lock`, else `NX_TYPEORM_MIGRATIONS_LOCK`, else `auto`; checked before anything connects. */
export function lockModeOf(context: ProjectContext, option: string | undefined): LockMode {
  const [value, shown] =
    option !== undefined
      ? [option, `--lock=${option}`]
      : [context.env['NX_TYPEORM_MIGRATIONS_LOCK'], `NX_TYPEORM_MIGRATIONS_LOCK=${context.env['NX_TYPEORM_MIGRATIONS_LOCK']}`];
  if (value === undefined || value === '') return 'auto';
  if (!(LOCK_MODES as readonly string[]).includes(value)) {
    throw new UserError(`${shown} is not a lock mode; use advisory, lease or auto.`, { code: 'INVALID_LOCK_MODE' });
  }
  return value as LockMode;
}

/** Migrations run towards `to`. */
export interface RunMove {
  readonly kind: 'run';
  readonly to: string;
  /** Run before the first step, once the steps are known; false stops the move with nothing done. */
  readonly beforeRun?: (steps: readonly Step[], heads: readonly string[]) => Promise<boolean>;
  readonly timeouts: StepTimeouts;
  readonly lockRetries: number;
  readonly retryDelayMs: (attempt: number) => number;
}

/** The version table set to `targets` without running any migration. */
export interface StampMove {
  readonly kind: 'stamp';
  readonly targets: readonly ParsedTarget[];
  /** Delete every version row first. */
  readonly purge: boolean;
}

export interface MoveInput {
  readonly context: ProjectContext;
  readonly target: MoveTarget;
  readonly source: MigrationSource;
  readonly lockMode: LockMode;
  readonly lockTimeoutMs: number;
  readonly reporter: Reporter;
}

export interface MoveOutcome {
  readonly headsBefore: readonly string[];
  readonly headsAfter: readonly string[];
  readonly steps: readonly StepOutcome[];
  /** A step failed; the steps before it stay applied. */
  readonly failure?: RunResult['failure'];
  /** `beforeRun` said no: nothing ran. */
  readonly declined?: boolean;
  /** Revisions a stamp logged. */
  readonly stamped?: readonly string[];
}

/** Moves the target: takes the lock, reads where it stands, applies the rules, then runs the steps or records a stamp. */
export async function moveDatabase(input: MoveInput, move: RunMove | StampMove): Promise<MoveOutcome> {
  const { target, reporter } = input;
  const lock = await target.acquireLock(input.lockMode, input.lockTimeoutMs);
  if (lock.kind === 'lease') reporter.info(`Lock: a lease (nx_migrations_lease, renewed while the run lasts): ${lock.reason}.`);
  try {
    await target.store.ensureTables();
    // Read under the lock: a run that waited for another one sees what that one applied.
    const heads = await target.store.readHeads();
    return move.kind === 'stamp' ? await recordStamp(input, move, heads) : await runMove(input, move, lock, heads);
  } finally {
    // A lost connection already released it; its error must not hide the run's own.
    await lock.release().catch(() => undefined);
  }
}

async function runMove(input: MoveInput, move: RunMove, lock: HeldLock, recordedHeads: string[]): Promise<MoveOutcome> {
  const { context, target, source, reporter } = input;
  let heads = recordedHeads;
  if (heads.length === 0 && !(await target.store.hasHistory())) heads = await adoptTypeormHistory(input);
  const edited = editedMigrations(source, heads, await target.store.recordedChecksums());
  if (edited.length > 0) throw new AppliedMigrationEditedError(edited, heads);
  const steps = planSteps(source.graph, heads, move.to);
  const partial = await target.progress.read();
  if (steps.length > 0) for (const row of partial) refuseToLeavePartial(context, source, row, steps[0]);
  if (steps.length === 0) {
    reporter.info(`Nothing to do: the database is already at ${formatHeads(heads)}.`);
    return { headsBefore: heads, headsAfter: heads, steps: [] };
  }
  if (move.beforeRun && !(await move.beforeRun(steps, heads))) {
    return { headsBefore: heads, headsAfter: heads, steps: [], declined: true };
  }
  reporter.info(`Migrating from ${formatHeads(heads)} to ${move.to} (${steps.length} migration${steps.length === 1 ? '' : 's'}):`);
  // A lock that is a row of one shared session (PGlite): nobody else can hold a lock there, nor be asked about.
  const blockers = lock.kind !== 'row' ? target.watchBlockers?.() : undefined;
  const result = await applySteps(target, source, steps, {
    timeouts: move.timeouts,
    lockRetries: move.lockRetries,
    retryDelayMs: move.retryDelayMs,
    blockers,
    progress: { store: target.progress, partial },
    onStepStart: (step) => {
      if (lock.lost()) {
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
  const headsAfter = await target.store.readHeads();
  if (!result.failure) reporter.info(`Done: the database is at ${formatHeads(headsAfter)}.`);
  return { headsBefore: heads, headsAfter, steps: result.outcomes, failure: result.failure };
}

/**
 * Alembic's stamp: each target replaces the rows of its lineage and records exactly the revision named (`planStamp`),
 * with a `stamp` entry for each revision marked applied or unapplied. A still-applied revision whose file was edited
 * is logged too, with its new checksum: stamping the current revision is how an intended edit is accepted.
 */
async function recordStamp(input: MoveInput, move: StampMove, recordedHeads: string[]): Promise<MoveOutcome> {
  const { target, source } = input;
  const { store, session } = target;
  const before = move.purge ? [] : recordedHeads;
  const after = planStamp(source.graph, before, move.targets);
  const wasApplied = new Set(appliedRevisions(source.graph, before));
  const nowApplied = new Set(appliedRevisions(source.graph, after));
  const recorded = await store.recordedChecksums();
  const entries: HistoryEntry[] = [];
  const startedAt = new Date();
  for (const revision of source.graph.topologicalOrder()) {
    const file = source.byRevision.get(revision)!;
    const applied = nowApplied.has(revision);
    const changed = applied !== wasApplied.has(revision);
    const edited = applied && !changed && recorded.get(revision) !== undefined && recorded.get(revision) !== file.checksum;
    if (!changed && !edited) continue;
    entries.push(stampEntry(file, applied ? file.checksum : null, startedAt));
  }
  const afterSet = new Set(after);
  const remaining = new Set(before);
  await session.startTransaction();
  try {
    if (move.purge) await store.purgeHeads();
    await store.record({
      removeHeads: [...remaining].filter((head) => !afterSet.has(head)),
      addHeads: after.filter((head) => !remaining.has(head)),
      entries,
    });
    await session.commitTransaction();
  } catch (error) {
    await session.rollbackTransaction().catch(() => undefined);
    throw error;
  }
  return { headsBefore: recordedHeads, headsAfter: after, steps: [], stamped: entries.map((entry) => entry.revision) };
}

/** The history entry of a revision a stamp marks applied (with its file's checksum) or unapplied (`null`). */
function stampEntry(file: MigrationFile, checksum: string | null, startedAt: Date): HistoryEntry {
  return {
    revision: file.revision,
    direction: 'stamp',
    message: file.message,
    checksum,
    startedAt,
    durationMs: 0,
    appliedBy: appliedBy(),
    toolVersion: toolVersion(),
  };
}

/**
 * First run on a database that TypeORM's CLI migrated, in a project whose TypeORM migrations were imported
 * (`import-typeorm`): stamp the imported revision that TypeORM's `migrations` table stands at.
 */
async function adoptTypeormHistory(input: MoveInput): Promise<string[]> {
  const { context, target, source, reporter } = input;
  const recognised = await target.recogniseImportedHistory?.(source.files);
  if (!recognised) return [];
  const heads = [recognised.revision];
  const startedAt = new Date();
  await target.store.record({
    removeHeads: [],
    addHeads: heads,
    entries: appliedRevisions(source.graph, heads).map((revision) => {
      const file = source.byRevision.get(revision)!;
      return stampEntry(file, file.checksum, startedAt);
    }),
  });
  reporter.info(
    `Adopted TypeORM's history: ${recognised.typeormNames.length} TypeORM migration(s) already ran, so the database is ` +
      `stamped at ${recognised.revision} (${shownPath(context, source.byRevision.get(recognised.revision)!.file)}).`,
  );
  return heads;
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
