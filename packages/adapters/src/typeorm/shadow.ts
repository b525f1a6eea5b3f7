import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { redactUrl } from './connection';
import { CodedError } from '../../../core/src/errors';
import type { EmbeddedPostgresOptions } from '../embedded/embedded-postgres';

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
  /** How many of the steps of `savedKeys` a server's shadow holds, cloned from a saved one; 0 when created empty. */
  readonly restored?: number;
  /**
   * A server's shadow kept as the saved one holding the steps up to `key` (instead of dropped at `dispose()`); every
   * connection to it must be closed first. False when it could not be (it is dropped then).
   */
  save?(key: string): Promise<boolean>;
  dispose(): Promise<void>;
}

export interface ShadowOptions extends Pick<EmbeddedPostgresOptions, 'extensions'> {
  /**
   * A server's shadow: `savedKeys[i]` is the key of a saved shadow holding the first `i + 1` steps (`replayKeys`);
   * the shadow is cloned from the saved one holding the most of them, when there is one.
   */
  readonly savedKeys?: readonly string[];
}

/** What an in-memory shadow is called where a command says which database it used. */
export const IN_MEMORY_SHADOW = 'an in-memory embedded PostgreSQL (PGlite)';

/** Saved shadows on a server are databases named after their key; the newest ones are kept. */
export const SAVED_SHADOW_PREFIX = 'nx_typeorm_migrations_saved_';
export const KEPT_SERVER_SHADOWS = 8;

export function savedShadowName(key: string): string {
  return `${SAVED_SHADOW_PREFIX}${key.slice(0, 32)}`;
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
 * `serverUrl` unset: an in-memory PGlite (from `fromDump`, else a fresh cluster) able to create `options.extensions`
 * (default all it ships for TypeORM), gone at `dispose()`. Set: a temporary database created on that PostgreSQL server
 * (its user needs CREATEDB), a copy of the saved one holding the most of `options.savedKeys` when there is one, dropped
 * at `dispose()` unless `save()` kept it.
 */
export async function startShadowDatabase(serverUrl?: string, fromDump?: Buffer, options: ShadowOptions = {}): Promise<ShadowDatabase> {
  if (!serverUrl) {
    const { startEmbeddedPostgres } = await import('../embedded/embedded-postgres');
    const embedded = await startEmbeddedPostgres({ extensions: options.extensions, fromDump });
    return {
      url: embedded.url,
      description: IN_MEMORY_SHADOW,
      dump: () => embedded.dump(),
      dispose: () => embedded.stop(),
    };
  }
  const name = `nx_typeorm_migrations_shadow_${randomBytes(5).toString('hex')}`;
  const restored = await createOnServer(serverUrl, name, options.savedKeys ?? []);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let kept = false;
  return {
    url: url.toString(),
    description: `temporary database "${name}" on ${redactUrl(serverUrl)}`,
    restored,
    async save(key: string) {
      kept = await keepOnServer(serverUrl, name, savedShadowName(key));
      return kept;
    },
    dispose: () => (kept ? Promise.resolve() : runOnServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, 'drop')),
  };
}

/**
 * Creates `name`, as a copy of the saved shadow holding the most steps when there is one (`CREATE DATABASE ...
 * TEMPLATE`, a fraction of replaying them); returns how many steps it holds.
 */
async function createOnServer(serverUrl: string, name: string, keys: readonly string[]): Promise<number> {
  if (keys.length > 0) {
    try {
      const restored = await withServer(serverUrl, async (client) => {
        const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${SAVED_SHADOW_PREFIX}%`]);
        const saved = new Set(rows.map((row) => row.datname));
        for (let count = keys.length; count > 0; count -= 1) {
          if (!saved.has(savedShadowName(keys[count - 1]))) continue;
          await client.query(`CREATE DATABASE "${name}" TEMPLATE "${savedShadowName(keys[count - 1])}"`);
          return count;
        }
        return 0;
      });
      if (restored > 0) return restored;
    } catch {
      // Dropped meanwhile, or in use by another run copying it: start empty, as without one.
    }
  }
  await runOnServer(serverUrl, `CREATE DATABASE "${name}"`, 'create');
  return 0;
}

/**
 * Renames the shadow `name` to `saved` (the connections to it just closed may take a moment to end on the server),
 * then drops all but the newest saved shadows (by creation: their oids). False when it could not be kept.
 */
async function keepOnServer(serverUrl: string, name: string, saved: string): Promise<boolean> {
  try {
    return await withServer(serverUrl, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS "${saved}"`);
      for (let attempt = 0; ; attempt += 1) {
        try {
          await client.query(`ALTER DATABASE "${name}" RENAME TO "${saved}"`);
          break;
        } catch (error) {
          // 55006: "database is being accessed by other users".
          if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      const { rows } = await client.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY oid::text::bigint DESC OFFSET $2`,
        [`${SAVED_SHADOW_PREFIX}%`, KEPT_SERVER_SHADOWS],
      );
      // One that another run is copying stays, until a later run.
      for (const row of rows) await client.query(`DROP DATABASE IF EXISTS "${row.datname}"`).catch(() => undefined);
      return true;
    });
  } catch {
    return false;
  }
}

/** A client of the server (`pg` loaded only here: an in-memory shadow, the default, never needs it). */
function serverClient(serverUrl: string): Client {
  const pg = require('pg') as typeof import('pg');
  return new pg.Client({ connectionString: serverUrl });
}

async function withServer<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = serverClient(serverUrl);
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function runOnServer(serverUrl: string, sql: string, action: 'create' | 'drop'): Promise<void> {
  const client = serverClient(serverUrl);
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
