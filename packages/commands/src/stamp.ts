import { appliedRevisions, planStamp } from '../../core/src/plan';
import { parseTargets } from '../../core/src/target';
import { acquireMigrationLock } from '../../adapters/src/typeorm/lock';
import type { HistoryEntry } from '../../adapters/src/typeorm/version-store';
import { appliedBy, connectProject, readProjectMigrations, toolVersion, type ProjectContext } from './context';
import { DEFAULT_LOCK_TIMEOUT_SECONDS, formatHeads } from './migrate';
import type { Reporter } from './reporter';

export interface StampOptions {
  /**
   * `REV`, `head`, `heads`, `base` or any other form of the `--to` grammar; several, comma-separated, to record
   * several branches at once (`c3,a3`).
   */
  readonly to: string;
  /** Delete every version row first: for a version table in a state nothing can plan from. */
  readonly purge?: boolean;
  readonly lockTimeoutSeconds?: number;
}

export interface StampResult {
  readonly success: boolean;
  readonly database: string;
  readonly headsBefore: readonly string[];
  readonly headsAfter: readonly string[];
  /** Revisions whose history got a `stamp` entry. */
  readonly stamped: readonly string[];
}

/**
 * `migrate-stamp`: sets the version table to `--to` without running any migration, as Alembic's stamp does: each
 * target replaces the rows of its lineage and records exactly the revision named (`planStamp`). Logs a `stamp`
 * entry for each revision it marks applied or unapplied. A still-applied revision whose file was edited is stamped too, with
 * its new checksum: stamping the current revision is how an intended edit of an applied migration is accepted.
 */
export async function stamp(context: ProjectContext, options: StampOptions, reporter: Reporter): Promise<StampResult> {
  const targets = parseTargets(options.to);
  const migrations = readProjectMigrations(context);
  const timeoutMs = (options.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS) * 1000;
  const database = await connectProject(context, reporter, timeoutMs);
  try {
    const { queryRunner } = database.open;
    const lock = await acquireMigrationLock(queryRunner, database.tables.lock, timeoutMs);
    try {
      const { store } = database;
      await store.ensureTables();
      const recordedHeads = await store.readHeads();
      const before = options.purge ? [] : recordedHeads;
      const after = planStamp(migrations.graph, before, targets);
      const wasApplied = new Set(appliedRevisions(migrations.graph, before));
      const nowApplied = new Set(appliedRevisions(migrations.graph, after));
      const recorded = await store.recordedChecksums();
      const entries: HistoryEntry[] = [];
      const startedAt = new Date();
      for (const revision of migrations.graph.topologicalOrder()) {
        const file = migrations.byRevision.get(revision)!;
        const applied = nowApplied.has(revision);
        const changed = applied !== wasApplied.has(revision);
        const edited = applied && !changed && recorded.get(revision) !== undefined && recorded.get(revision) !== file.checksum;
        if (!changed && !edited) continue;
        entries.push({
          revision,
          direction: 'stamp',
          message: file.message,
          checksum: applied ? file.checksum : null,
          startedAt,
          durationMs: 0,
          appliedBy: appliedBy(),
          toolVersion: toolVersion(),
        });
      }
      const afterSet = new Set(after);
      const remaining = new Set(options.purge ? [] : recordedHeads);
      await queryRunner.startTransaction();
      try {
        if (options.purge) await store.purgeHeads();
        await store.record({
          removeHeads: [...remaining].filter((head) => !afterSet.has(head)),
          addHeads: after.filter((head) => !remaining.has(head)),
          entries,
        });
        await queryRunner.commitTransaction();
      } catch (error) {
        await queryRunner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
      reporter.info(
        `Stamped: the version table now says ${formatHeads(after)} (was ${formatHeads(recordedHeads)}); ` +
          `no migration ran.`,
      );
      return {
        success: true,
        database: database.target.description,
        headsBefore: recordedHeads,
        headsAfter: after,
        stamped: entries.map((entry) => entry.revision),
      };
    } finally {
      // A lost connection already released it; its error must not hide the run's own.
      await lock.release().catch(() => undefined);
    }
  } finally {
    await database.close();
  }
}
