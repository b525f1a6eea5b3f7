import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { redactUrl } from './connection';
import { CodedError } from '../../../core/src/errors';
import type { EmbeddedExtension } from '../embedded/embedded-postgres';

/**
 * A throw-away database into which autogenerate replays the existing migrations, so that entities are compared
 * with the schema the migrations produce, not with whatever a developer's database happens to hold.
 */
export interface ShadowDatabase {
  /** A PostgreSQL URL to the empty shadow database. */
  readonly url: string;
  /** What to print: where the shadow database lives, password as `****`. */
  readonly description: string;
  /** An in-memory shadow's files (to save a replay); undefined for a server's. */
  dump?(): Promise<Buffer>;
  dispose(): Promise<void>;
}

/** The PostgreSQL server given for shadow databases cannot be used; the message says which and why. */
/** The PostgreSQL server named for shadow databases refused to create or drop one. */
export class ShadowDatabaseError extends CodedError {
  readonly code = 'SHADOW_DATABASE_FAILED';
  constructor(
    /** What was attempted: `create` or `drop`. */
    readonly action: 'create' | 'drop',
    /** The server's URL, password as `****`. */
    readonly server: string,
    readonly detail: string,
    cause: unknown,
  ) {
    super(`could not ${action} a shadow database on ${server}: ${detail}`, { cause });
  }
}

/**
 * `serverUrl` unset: an in-memory PGlite able to create `extensions` (default all it ships for TypeORM), gone at `dispose()`. Set: a temporary database created on that
 * PostgreSQL server (its user needs CREATEDB) and dropped at `dispose()`.
 */
export async function startShadowDatabase(serverUrl?: string, fromDump?: Buffer, extensions?: readonly EmbeddedExtension[]): Promise<ShadowDatabase> {
  if (!serverUrl) {
    const { startEmbeddedPostgres } = await import('../embedded/embedded-postgres');
    const embedded = await startEmbeddedPostgres({ fromDump, extensions });
    return {
      url: embedded.url,
      description: 'an in-memory embedded PostgreSQL (PGlite)',
      dump: () => embedded.dump(),
      dispose: () => embedded.stop(),
    };
  }
  const name = `nx_typeorm_migrations_shadow_${randomBytes(5).toString('hex')}`;
  await runOnServer(serverUrl, `CREATE DATABASE "${name}"`, 'create');
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    description: `temporary database "${name}" on ${redactUrl(serverUrl)}`,
    dispose: () => runOnServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, 'drop'),
  };
}

async function runOnServer(serverUrl: string, sql: string, action: 'create' | 'drop'): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  try {
    await client.connect();
    await client.query(sql);
  } catch (error) {
    const detail = redactUrl(String((error as Error).message ?? error).split('\n')[0]);
    throw new ShadowDatabaseError(action, redactUrl(serverUrl), detail, error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
