import { acquireMigrationLock } from '../../adapters/src/typeorm/lock';
import { applicationName } from '../../adapters/src/typeorm/connection';
import { ProgressStore, progressTable } from '../../adapters/src/typeorm/resume';
import { localPortOf, openSideSession } from '../../adapters/src/typeorm/side-session';
import { watchBlockers } from '../../adapters/src/typeorm/timeouts';
import { recogniseTypeormMigrations } from '../../adapters/src/typeorm/typeorm-history';
import { connectProject, type ProjectContext } from './context';
import type { MoveTarget, MoveTargetFactory } from './move';
import type { Reporter } from './reporter';

/**
 * PostgreSQL's `MoveTargetFactory`: the project's data source connected (`connectProject`), its version store, the
 * progress table of its schema, and the migration lock (advisory, a lease behind a pooler, a row on PGlite).
 */
export async function openPostgresTarget(context: ProjectContext, reporter: Reporter, timeoutMs: number): Promise<MoveTarget> {
  const database = await connectProject(context, reporter, timeoutMs);
  const { queryRunner, dataSource } = database.open;
  const options = dataSource.options as { migrationsTableName?: string; schema?: string };
  return {
    description: database.target.description,
    local: database.local,
    session: queryRunner,
    store: database.store,
    progress: new ProgressStore(queryRunner, progressTable(options.schema)),
    acquireLock: (mode, lockTimeoutMs) =>
      acquireMigrationLock(queryRunner, database.tables.lock, lockTimeoutMs, {
        mode,
        localPort: localPortOf(queryRunner),
        openSideSession: () => openSideSession(queryRunner),
      }),
    watchBlockers: () => watchBlockers(queryRunner, applicationName()),
    recogniseImportedHistory: (files) => recogniseTypeormMigrations(queryRunner, options, files),
    close: () => database.close(),
  };
}

/** The factory a command uses: the context's own (a second dialect, a test's), else PostgreSQL's. */
export function targetFactoryOf(context: ProjectContext): MoveTargetFactory {
  return context.openTarget ?? openPostgresTarget;
}
