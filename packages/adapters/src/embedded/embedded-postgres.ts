import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { cube } from '@electric-sql/pglite/contrib/cube';
import { hstore } from '@electric-sql/pglite/contrib/hstore';
import { ltree } from '@electric-sql/pglite/contrib/ltree';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { uuid_ossp } from '@electric-sql/pglite/contrib/uuid_ossp';

/**
 * An embedded PostgreSQL (PGlite, compiled to WASM) served on a loopback port, so that everything above it
 * (TypeORM, `pg`, the version table, the lock) talks to it exactly as it talks to a real server: through a URL.
 */
export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  readonly url: string;
  /** Where its files live; `undefined` for an in-memory database. */
  readonly dataDir: string | undefined;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** A folder to keep the database in; omitted: in memory, gone at `stop()`. */
  dataDir?: string;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // The extensions TypeORM's PostgreSQL driver installs by itself when entities need them (uuid columns take
  // `uuid-ossp` by default): without them a data source with a uuid column fails to connect to PGlite.
  const db = await PGlite.create(options.dataDir, {
    extensions: { btree_gist, citext, cube, hstore, ltree, pgcrypto, uuid_ossp },
  });
  // PGlite runs one session at a time; the socket server queues the others, so a pool of several
  // connections still works, one statement after another.
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 100 });
  await server.start();
  const address = (server as unknown as { server: { address(): { port: number } } }).server.address();
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${address.port}/postgres`,
    dataDir: options.dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
    },
  };
}
