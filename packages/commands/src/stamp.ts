import { parseTargets } from '../../core/src/target';
import { loadMigrationFunctions } from '../../adapters/src/fs/migration-directory';
import { readProjectMigrations, type ProjectContext } from './context';
import { formatHeads, lockModeOf, moveDatabase } from './move';
import { DEFAULT_LOCK_TIMEOUT_SECONDS } from './options';
import { targetFactoryOf } from './postgres-target';
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
  /** `advisory`, `lease` or `auto` (default, also from `NX_TYPEORM_MIGRATIONS_LOCK`): as `migrate`'s `lock`. */
  readonly lock?: string;
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
 * Moves the database through `moveDatabase`, under the same lock as `migrate` (a lease behind a pooler).
 */
export async function stamp(context: ProjectContext, options: StampOptions, reporter: Reporter): Promise<StampResult> {
  const targets = parseTargets(options.to);
  const lockMode = lockModeOf(context, options.lock);
  const migrations = readProjectMigrations(context);
  const timeoutMs = (options.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS) * 1000;
  const target = await targetFactoryOf(context)(context, reporter, timeoutMs);
  try {
    const moved = await moveDatabase(
      { context, target, source: { ...migrations, load: loadMigrationFunctions }, lockMode, lockTimeoutMs: timeoutMs, reporter },
      { kind: 'stamp', targets, purge: options.purge === true },
    );
    reporter.info(
      `Stamped: the version table now says ${formatHeads(moved.headsAfter)} (was ${formatHeads(moved.headsBefore)}); ` +
        `no migration ran.`,
    );
    return {
      success: true,
      database: target.description,
      headsBefore: moved.headsBefore,
      headsAfter: moved.headsAfter,
      stamped: moved.stamped ?? [],
    };
  } finally {
    await target.close();
  }
}
