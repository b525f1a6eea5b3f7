import { planSteps } from '../../core/src/plan';
import { loadMigrationFunctionsAhead } from '../../adapters/src/fs/migration-directory';
import { loadDataSource } from '../../adapters/src/typeorm/data-source';
import { connectDataSourceTo } from '../../adapters/src/typeorm/schema-diff';
import { fingerprintDifference, schemaFingerprint } from '../../adapters/src/typeorm/schema-fingerprint';
import { startShadowDatabase } from '../../adapters/src/typeorm/shadow';
import { PostgresVersionStore, versionTables } from '../../adapters/src/typeorm/version-store';
import { connectProject, readProjectMigrations, type ProjectContext } from './context';
import { applySteps } from './move';
import { toUserError, UserError } from './errors';
import type { Reporter } from './reporter';

/**
 * Drift: the live database's schema against the schema its recorded revision should have, which the migrations
 * up to that revision produce when replayed into a shadow database. A hand-made index, a column added in a console,
 * a table dropped by a hotfix: each is named. Read only on the live database; never answered from a cache.
 */
export interface DriftOptions {
  /**
   * A PostgreSQL server for the shadow database (also `SHADOW_DATABASE_URL`); default the live server itself (a
   * temporary database, which needs CREATEDB), or an in-memory PGlite for an embedded database.
   */
  readonly shadowDatabaseUrl?: string;
  readonly lockTimeoutSeconds?: number;
}

export interface DriftResult {
  readonly success: boolean;
  readonly database: string;
  readonly heads: readonly string[];
  /** Objects of the live database that the migrations do not create. */
  readonly extra: readonly string[];
  /** Objects the migrations create that the live database lacks (or has otherwise). */
  readonly missing: readonly string[];
  readonly error?: string;
}

/** This tool's own tables, kept out of the comparison. */
const OWN_OBJECTS = /\bnx_migrations_\w+/;

export async function drift(context: ProjectContext, options: DriftOptions, reporter: Reporter): Promise<DriftResult> {
  const migrations = readProjectMigrations(context);
  const database = await connectProject(context, reporter, (options.lockTimeoutSeconds ?? 60) * 1000);
  let heads: string[];
  let live: string[];
  let shadowServer = options.shadowDatabaseUrl ?? (context.env['SHADOW_DATABASE_URL'] || undefined);
  try {
    heads = await database.store.readHeads();
    // The catalog differs between major versions (PostgreSQL 18 lists NOT NULL as constraints): the shadow is made on
    // the live server itself unless another is named, and is an in-memory PGlite only for a PGlite database.
    const source = database.target.source;
    if (!shadowServer && source.kind !== 'embedded') {
      const version = (await database.open.queryRunner.query('SELECT version() AS "version"')) as Array<{ version: string }>;
      if (!/PGlite/i.test(version[0]?.version ?? '')) shadowServer = source.url;
    }
    live = (await schemaFingerprint(database.open.queryRunner)).filter((line) => !OWN_OBJECTS.test(line));
  } finally {
    await database.close();
  }
  const expected = await replayedFingerprint(context, migrations, heads, shadowServer, reporter);
  const { added, removed } = fingerprintDifference(expected, live);
  const at = heads.length === 0 ? 'base' : heads.join(', ');
  const result = { database: database.target.description, heads, extra: added, missing: removed };
  if (added.length === 0 && removed.length === 0) {
    reporter.info(`No drift: the schema is the one the migrations up to ${at} create.`);
    return { ...result, success: true };
  }
  reporter.info(`Drift: the schema differs from the one the migrations up to ${at} create (${added.length + removed.length} difference(s)):`);
  for (const line of added) reporter.info(`  + ${line}  (in the database, not in the migrations)`);
  for (const line of removed) reporter.info(`  - ${line}  (in the migrations, not in the database)`);
  return {
    ...result,
    success: false,
    error:
      `The database has drifted from revision ${at}: ${added.length} object(s) the migrations do not create, ` +
      `${removed.length} they create that it lacks or has otherwise; write a migration that makes them so (or undo the hand-made change).`,
  };
}

async function replayedFingerprint(
  context: ProjectContext,
  migrations: ReturnType<typeof readProjectMigrations>,
  heads: readonly string[],
  shadowServer: string | undefined,
  reporter: Reporter,
): Promise<string[]> {
  const shadow = await startShadowDatabase(shadowServer);
  reporter.info(`Shadow database: ${shadow.description}`);
  try {
    const connected = await connectDataSourceTo(await loadDataSource(context.dataSourceFile), shadow.url);
    const queryRunner = connected.createQueryRunner();
    try {
      const store = new PostgresVersionStore(queryRunner, versionTables((connected.options as { schema?: string }).schema));
      await store.ensureTables();
      let current: readonly string[] = [];
      for (const head of heads) {
        const steps = planSteps(migrations.graph, current, head);
        const replayed = await applySteps({ session: queryRunner, store }, { ...migrations, load: loadMigrationFunctionsAhead }, steps);
        if (replayed.failure) {
          throw new UserError(
            `Replaying the migrations into the shadow database failed, so drift cannot be judged: ${toUserError(replayed.failure, context).message}`,
            { code: 'SHADOW_REPLAY_FAILED' },
          );
        }
        if (steps.length > 0) current = steps[steps.length - 1].headsAfter;
      }
      return (await schemaFingerprint(queryRunner)).filter((line) => !OWN_OBJECTS.test(line));
    } finally {
      await queryRunner.release();
      await connected.destroy();
    }
  } finally {
    await shadow.dispose();
  }
}
