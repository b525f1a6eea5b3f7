import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { cube } from '@electric-sql/pglite/contrib/cube';
import { hstore } from '@electric-sql/pglite/contrib/hstore';
import { ltree } from '@electric-sql/pglite/contrib/ltree';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { uuid_ossp } from '@electric-sql/pglite/contrib/uuid_ossp';
import { packageCacheFile, writeCacheFile } from '../fs/tool-cache';
import { isLaterWalSegment, withoutTarEntries } from './tar-entries';
import { baselineWasmSettled } from '../wasm/baseline';

/**
 * An embedded PostgreSQL (PGlite, compiled to WASM) served on a loopback port, so that everything above it
 * (TypeORM, `pg`, the version table, the lock) talks to it exactly as it talks to a real server: through a URL.
 */
export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  readonly url: string;
  /** Where its files live; `undefined` for an in-memory database. */
  readonly dataDir: string | undefined;
  /** Its files, checkpointed, as an uncompressed tarball, which `fromDump` starts another in-memory database from. */
  dump(): Promise<Buffer>;
  stop(): Promise<void>;
}

/** The extensions it can create: those TypeORM's PostgreSQL driver creates by itself, by PGlite's names. */
export type EmbeddedExtension = 'btree_gist' | 'citext' | 'cube' | 'hstore' | 'ltree' | 'pgcrypto' | 'uuid_ossp';

export interface EmbeddedPostgresOptions {
  /** A folder to keep the database in; omitted: in memory, gone at `stop()`. */
  dataDir?: string;
  /** An in-memory database starting as the one `dump()` was taken of, instead of a fresh cluster. */
  fromDump?: Buffer;
  /**
   * The extensions it can create, by PGlite's names (`uuid_ossp`...); default all those TypeORM's driver creates by
   * itself. Each one is loaded at start, needed or not.
   */
  extensions?: readonly EmbeddedExtension[];
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // PGlite's WebAssembly is compiled with the optimizing compiler too, not as the SQL parser's is while it loads.
  await baselineWasmSettled();
  // The extensions TypeORM's PostgreSQL driver installs by itself when entities need them (uuid columns take
  // `uuid-ossp` by default): without them a data source with a uuid column fails to connect to PGlite.
  const all: Record<EmbeddedExtension, NonNullable<PGliteOptions['extensions']>[string]> = { btree_gist, citext, cube, hstore, ltree, pgcrypto, uuid_ossp };
  const extensions = options.extensions ? Object.fromEntries(options.extensions.map((name) => [name, all[name]])) : all;
  const db = options.dataDir
    ? await PGlite.create(options.dataDir, { extensions })
    : options.fromDump
      ? await PGlite.create({ extensions, loadDataDir: new Blob([options.fromDump]) })
      : await createInMemory({ extensions });
  // PGlite runs one session at a time; the socket server queues the others, so a pool of several
  // connections still works, one statement after another.
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 100 });
  await server.start();
  const address = (server as unknown as { server: { address(): { port: number } } }).server.address();
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${address.port}/postgres`,
    dataDir: options.dataDir,
    async dump() {
      // A checkpoint first: a database started from the files then has no write-ahead log to replay (at 300 tables
      // a fifth of its start).
      await db.exec('CHECKPOINT');
      const current = await db.query<{ name: string }>('SELECT pg_walfile_name(pg_current_wal_lsn()) AS name');
      const files = Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer());
      const segment = current.rows[0]?.name ?? '';
      // Nor the log segments recycled for later (see `withoutTarEntries`).
      return withoutTarEntries(files, (path) => isLaterWalSegment(path, segment));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
    },
  };
}

/**
 * An in-memory PGlite starts with `initdb`, about 1.5-2 s of WASM; loading the files `initdb` made once takes about
 * 0.4 s. Every shadow database (autogenerate, migrate-check) is in memory, so the first one keeps a copy of a fresh
 * cluster in `node_modules/.cache/nx-typeorm-migrations/` and later ones start from it. Any trouble with that copy
 * (unwritable folder, damaged file) falls back to `initdb`.
 */
async function createInMemory(options: PGliteOptions): Promise<PGlite> {
  const cache = initdbCacheFile();
  if (cache) {
    try {
      // Unzipped here: zlib takes under 0.1 s, PGlite's own gzip reading about 0.5 s more.
      return await PGlite.create({ ...options, loadDataDir: new Blob([gunzipSync(readFileSync(cache))]) });
    } catch {
      rmSync(cache, { force: true });
    }
  }
  const db = await PGlite.create(options);
  if (cache) {
    // A read-only node_modules: every in-memory database keeps running initdb.
    const dump = await db.dumpDataDir('gzip').then(async (blob) => Buffer.from(await blob.arrayBuffer())).catch(() => undefined);
    if (dump) writeCacheFile(cache, dump);
  }
  return db;
}

export function initdbCacheFile(): string | undefined {
  return packageCacheFile('@electric-sql/pglite', (version) => `pglite-${version}-initdb.tar.gz`);
}
