import { appliedRevisions } from '../../core/src/plan';
import {
  editedMigrations,
  readProjectMigrations,
  shownPath,
  type ProjectContext,
  type ProjectMigrations,
} from './context';
import type { StepProgress } from '../../adapters/src/typeorm/resume';
import { drift, type DriftResult } from './drift';
import { multipleHeadsReport } from './heads-report';
import { DEFAULT_LOCK_TIMEOUT_SECONDS } from './options';
import { targetFactoryOf } from './postgres-target';
import type { Reporter } from './reporter';

export interface StatusOptions {
  /** Fail (exit 1) when the database is not at the head revision(s). */
  readonly checkHeads?: boolean;
  /** Also compare the live schema with the one the migrations up to its revision create. */
  readonly drift?: boolean;
  /** With `drift`: where the shadow database is made. */
  readonly shadowDatabaseUrl?: string;
  readonly lockTimeoutSeconds?: number;
}

export interface RevisionSummary {
  readonly revision: string;
  readonly message: string;
  /** Relative to the workspace root. */
  readonly file: string;
}

export interface StatusResult {
  readonly success: boolean;
  readonly database: string;
  readonly current: readonly RevisionSummary[];
  readonly heads: readonly string[];
  readonly atHead: boolean;
  /** Revisions not applied yet, in the order an upgrade runs them. */
  readonly pending: readonly RevisionSummary[];
  /** Applied migrations whose file changed since (checksum mismatch). */
  readonly edited: readonly RevisionSummary[];
  /** Migrations outside a transaction that a run left partly applied: the next migrate resumes them. */
  readonly partlyApplied: readonly PartlyApplied[];
  /** With `drift`: what differs from the schema the recorded revision should have. */
  readonly drift?: DriftResult;
  readonly error?: string;
}

export interface PartlyApplied extends RevisionSummary {
  readonly direction: 'up' | 'down';
  readonly statementsDone: number;
  readonly lastStatement: string;
}

/** `migrate-status`: where the database stands. Reads only; takes no lock and creates nothing. */
export async function status(context: ProjectContext, options: StatusOptions, reporter: Reporter): Promise<StatusResult> {
  const migrations = readProjectMigrations(context);
  const target = await targetFactoryOf(context)(
    context,
    reporter,
    (options.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS) * 1000,
  );
  let currentHeads: string[];
  let recorded: Map<string, string | null>;
  let partial: StepProgress[];
  try {
    currentHeads = await target.store.readHeads();
    recorded = await target.store.recordedChecksums();
    partial = await target.progress.read();
    if (currentHeads.length === 0 && recorded.size === 0) {
      const recognised = await target.recogniseImportedHistory?.(migrations.files);
      if (recognised) {
        currentHeads = [recognised.revision];
        reporter.info(
          `TypeORM's migrations table shows ${recognised.typeormNames.length} imported migration(s) applied; ` +
            `the next migrate records this database at ${recognised.revision}.`,
        );
      }
    }
  } finally {
    await target.close();
  }
  const result = statusOf(context, migrations, currentHeads, recorded, target.description, options, partial);
  for (const line of renderStatus(result)) reporter.info(line);
  for (const entry of result.edited) {
    reporter.warn(
      `Warning: ${entry.file} (${entry.revision}) was edited after it was applied to this database (checksum differs); ` +
        `restore it, or record the edit with migrate-stamp.`,
    );
  }
  const headsReport = multipleHeadsReport({ ...context, graph: migrations.graph, migrations: migrations.files });
  if (headsReport) reporter.warn(headsReport);
  if (!result.success) {
    reporter.warn(
      `The database is not at head: ${result.pending.length} migration(s) pending; run migrate --to=${result.heads.length > 1 ? 'heads' : 'head'}.`,
    );
  }
  if (options.drift) {
    const found = await drift(context, { shadowDatabaseUrl: options.shadowDatabaseUrl, lockTimeoutSeconds: options.lockTimeoutSeconds }, reporter);
    return { ...result, success: result.success && found.success, drift: found, error: found.error };
  }
  return result;
}

export function statusOf(
  context: ProjectContext,
  migrations: ProjectMigrations,
  currentHeads: readonly string[],
  recorded: ReadonlyMap<string, string | null>,
  database: string,
  options: StatusOptions,
  partial: readonly StepProgress[] = [],
): StatusResult {
  const summary = (revision: string): RevisionSummary => {
    const file = migrations.byRevision.get(revision);
    return { revision, message: file?.message ?? '', file: file ? shownPath(context, file.file) : '' };
  };
  const applied = new Set(appliedRevisions(migrations.graph, currentHeads));
  const heads = [...migrations.graph.heads()];
  // Every head applied: a head that a dependent builds on is folded into the dependent's row, so rows and heads differ.
  const atHead = heads.every((head) => applied.has(head));
  const pending = migrations.graph.topologicalOrder().filter((revision) => !applied.has(revision));
  const edited = editedMigrations(migrations, currentHeads, recorded).map((entry) => summary(entry.revision));
  return {
    success: !(options.checkHeads && !atHead),
    database,
    current: currentHeads.map(summary),
    heads,
    atHead,
    pending: pending.map(summary),
    edited,
    partlyApplied: partial.map((row) => ({
      ...summary(row.revision),
      direction: row.direction,
      statementsDone: row.statementsDone,
      lastStatement: row.lastStatement,
    })),
  };
}

export function renderStatus(result: StatusResult): string[] {
  const lines: string[] = [];
  if (result.current.length === 0) lines.push('Current revision: none (base)');
  for (const entry of result.current) {
    lines.push(`Current revision: ${entry.revision}${entry.message ? `  ${entry.message}` : ''}`);
  }
  if (result.heads.length === 0) {
    lines.push('No migrations yet.');
  } else if (result.atHead) {
    lines.push(`At head: yes (${result.heads.join(', ')})`);
  } else {
    lines.push(`At head: no (head${result.heads.length === 1 ? '' : 's'} ${result.heads.join(', ')})`);
  }
  if (result.pending.length > 0) {
    lines.push(`Pending (${result.pending.length}):`);
    for (const entry of result.pending) lines.push(`  ${entry.revision}  ${entry.message}  ${entry.file}`);
  }
  for (const entry of result.partlyApplied) {
    lines.push(
      `Partly applied (${entry.direction === 'up' ? 'upgrade' : 'downgrade'}, transactional = false): ${entry.revision}  ` +
        `${entry.message}  ${entry.file}: ${entry.statementsDone} statement(s) completed; migrate resumes after them`,
    );
  }
  return lines;
}
