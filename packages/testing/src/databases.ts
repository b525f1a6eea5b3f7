import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../adapters/src/embedded/embedded-postgres';

/**
 * Real databases for integration tests: the PostgreSQL server (`TEST_DATABASE_URL`, default
 * `postgres://postgres@127.0.0.1:5432/postgres`) and an embedded PGlite. No mocks.
 *
 * The server being unreachable is a failure, never a skip: `.ci/run` starts it before the tests.
 */
export type DatabaseKind = 'postgres' | 'pglite';

export const DATABASE_KINDS: readonly DatabaseKind[] = ['postgres', 'pglite'];

export interface TestDatabase {
  readonly kind: DatabaseKind;
  /** A URL to a fresh, empty database of its own. */
  readonly url: string;
  drop(): Promise<void>;
}

export function serverAdminUrl(): string {
  return process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** A fresh database on the PostgreSQL server (`CREATE DATABASE` with a unique name), or a fresh PGlite. */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const embedded = await startEmbeddedPostgres();
    return { kind, url: embedded.url, drop: () => embedded.stop() };
  }
  const name = `ntm_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverAdminUrl() });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `The PostgreSQL server at ${redact(serverAdminUrl())} is not answering (${(error as Error).message}); ` +
        'start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set TEST_DATABASE_URL.',
    );
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverAdminUrl());
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: serverAdminUrl() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

function redact(url: string): string {
  return url.replace(/:\/\/([^:/@]+):[^@]*@/, '://$1:****@');
}
