import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { CodedError } from '../../../core/src/errors';

/**
 * One run at a time: a PostgreSQL advisory lock held for the whole run, and a lock file for the embedded database's
 * folder (PGlite allows one process per folder). Both wait a bounded time and then say who holds them.
 */

/** What runs SQL: a TypeORM QueryRunner, or a test's connection. */
export interface SqlSession {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** Advisory lock key (two int4s): "ntm" and a version of the locking scheme. */
export const ADVISORY_LOCK_KEY = [0x6e746d, 1] as const;

export interface LockHolder {
  /** `application_name` of the holder's session: `nx-typeorm-migrations <pid>@<host>` for our own runs. */
  readonly application: string;
  /** When the holder's session started. */
  readonly since: Date | undefined;
}

export class LockTimeoutError extends CodedError {
  readonly code = 'LOCK_TIMEOUT';
  constructor(
    readonly waitedMs: number,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      `Timed out after ${Math.round(waitedMs / 1000)} s waiting for the migration lock` +
        (holder ? `, held by ${holder.application || 'an unnamed session'}` : ''),
    );
  }
}

export interface HeldLock {
  /**
   * `advisory`: a session lock of the server; `row`: the lock row of a database with one shared session (PGlite);
   * `lease`: a row with an expiry, renewed while the run lasts (behind a transaction-mode pooler).
   */
  readonly kind: 'advisory' | 'row' | 'lease';
  /** Why this kind was chosen, when it was not the plain advisory lock. */
  readonly reason?: string;
  /** A lease that could not be renewed and may be someone else's now: the run must stop. */
  lost(): boolean;
  release(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `advisory` (a session lock), `lease` (a row with an expiry), `auto`: a lease when a pooler sits in between. */
export type LockMode = 'advisory' | 'lease' | 'auto';
export const LOCK_MODES: readonly LockMode[] = ['advisory', 'lease', 'auto'];

export interface LockOptions {
  /** Default `auto`. */
  readonly mode?: LockMode;
  /** The lease's table; default beside `lockTable`. */
  readonly leaseTable?: string;
  /** How long a lease lasts without renewal; default 30 s. Renewed every third of it while held. */
  readonly leaseSeconds?: number;
  /** A second session to renew the lease on while the run's own session is busy; without it, no renewal. */
  readonly openSideSession?: () => Promise<{ query(sql: string, parameters?: unknown[]): Promise<{ rows: unknown[] }>; end(): Promise<void> }>;
  /** The local port of `session`'s socket: the server seeing another one means something sits in between. */
  readonly localPort?: number;
}

export const DEFAULT_LEASE_SECONDS = 30;

/** The lease table of a schema: `nx_migrations_lease (id, holder, token, acquired_at, expires_at, heartbeat_at)`. */
export function leaseTableOf(lockTable: string): string {
  return lockTable.replace(/"nx_migrations_lock"$/, '"nx_migrations_lease"');
}

/**
 * Whether the server sees a client other than this socket: a pooler (PgBouncer, Supabase's pooled port) or a proxy
 * sits in between. A transaction-mode pooler runs each transaction on whichever server session is free, so a
 * session-level advisory lock would be held by a server session no longer ours. Over a Unix socket, or when the
 * local port is unknown, nothing is assumed.
 */
export async function seenThroughProxy(session: SqlSession, localPort: number | undefined): Promise<boolean> {
  if (localPort === undefined) return false;
  const rows = (await session.query(
    'SELECT client_port AS "port" FROM pg_stat_activity WHERE pid = pg_backend_pid()',
  )) as Array<{ port: number | null }>;
  const port = rows[0]?.port;
  return port !== null && port !== undefined && port !== -1 && Number(port) !== localPort;
}

/**
 * The migration lock of the database `session` is connected to, waiting up to `timeoutMs` (0: one try).
 *
 * A PostgreSQL server gets `pg_try_advisory_lock`, released by the server if we die. PGlite runs every connection in
 * one shared session, where an advisory lock excludes nobody, so there the lock is a row of `lockTable` naming its
 * holder; a row left by a dead process on this host is taken over.
 */
export async function acquireMigrationLock(
  session: SqlSession,
  lockTable: string,
  timeoutMs: number,
  options: LockOptions = {},
): Promise<HeldLock> {
  const versionRows = (await session.query('SELECT version() AS "version"')) as Array<{ version: string }>;
  const sharedSession = /PGlite/i.test(versionRows[0]?.version ?? '');
  const holderName = `nx-typeorm-migrations ${process.pid}@${hostname()}`;
  const mode = options.mode ?? 'auto';
  if (!sharedSession && mode !== 'advisory') {
    const proxied = mode === 'auto' && (await seenThroughProxy(session, options.localPort));
    if (mode === 'lease' || proxied) {
      const reason = proxied
        ? 'the server sees another client than this process (a connection pooler or proxy sits in between), where a session lock would not hold'
        : 'lock mode lease';
      return acquireLease(session, options.leaseTable ?? leaseTableOf(lockTable), timeoutMs, holderName, reason, options);
    }
  }
  if (sharedSession) {
    await session.query(
      `CREATE TABLE IF NOT EXISTS ${lockTable} ("id" integer PRIMARY KEY, "holder" text NOT NULL, "since" timestamptz NOT NULL DEFAULT now())`,
    );
  }
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    if (sharedSession ? await tryLockRow(session, lockTable, holderName) : await tryAdvisoryLock(session)) {
      return {
        kind: sharedSession ? 'row' : 'advisory',
        lost: () => false,
        release: async () => {
          if (sharedSession) await session.query(`DELETE FROM ${lockTable} WHERE "id" = 1 AND "holder" = $1`, [holderName]);
          else await session.query('SELECT pg_advisory_unlock($1, $2)', [...ADVISORY_LOCK_KEY]);
        },
      };
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) {
      const holder = sharedSession ? await lockRowHolder(session, lockTable) : await advisoryLockHolder(session);
      throw new LockTimeoutError(waited, holder);
    }
    await sleep(Math.min(50 * 2 ** Math.min(attempt, 3), 400, Math.max(timeoutMs - waited, 1)));
  }
}

/**
 * The lease: row `id = 1` of `table`, taken when absent or expired, renewed on a side session every third of its
 * length while held, deleted on release. Every statement is a transaction of its own, so it holds behind a
 * transaction-mode pooler. A lease left by a dead process on this host is taken over at once; one of another host
 * when it expires.
 */
async function acquireLease(
  session: SqlSession,
  table: string,
  timeoutMs: number,
  holderName: string,
  reason: string,
  options: LockOptions,
): Promise<HeldLock> {
  const seconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const token = randomBytes(12).toString('hex');
  try {
    await session.query(
      `CREATE TABLE IF NOT EXISTS ${table} ("id" integer PRIMARY KEY, "holder" text NOT NULL, "token" text NOT NULL, ` +
        `"acquired_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "heartbeat_at" timestamptz NOT NULL)`,
    );
  } catch (error) {
    // Two first runs creating it at once: one of them gets a unique violation on the catalog, and the table exists.
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42P07') throw error;
  }
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const taken = (await session.query(
      `INSERT INTO ${table} ("id", "holder", "token", "acquired_at", "expires_at", "heartbeat_at") ` +
        `VALUES (1, $1, $2, now(), now() + make_interval(secs => $3), now()) ON CONFLICT ("id") DO UPDATE SET ` +
        `"holder" = EXCLUDED."holder", "token" = EXCLUDED."token", "acquired_at" = now(), "expires_at" = EXCLUDED."expires_at", ` +
        `"heartbeat_at" = now() WHERE ${table}."expires_at" < now() RETURNING "token"`,
      [holderName, token, seconds],
    )) as unknown[];
    if (taken.length > 0) break;
    const holder = (await session.query(`SELECT "holder", "token", "acquired_at" AS "since" FROM ${table} WHERE "id" = 1`)) as Array<{
      holder: string;
      token: string;
      since: Date | string;
    }>;
    const match = holder[0] && /^nx-typeorm-migrations (\d+)@(.+)$/.exec(holder[0].holder);
    if (match && match[2] === hostname() && !isAlive(Number(match[1]))) {
      await session.query(`DELETE FROM ${table} WHERE "id" = 1 AND "token" = $1`, [holder[0]!.token]);
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) {
      throw new LockTimeoutError(waited, holder[0] ? { application: holder[0].holder, since: new Date(holder[0].since) } : undefined);
    }
    await sleep(Math.min(50 * 2 ** Math.min(attempt, 3), 400, Math.max(timeoutMs - waited, 1)));
  }
  let lost = false;
  const side = options.openSideSession?.().catch(() => undefined);
  const renew = async () => {
    const client = await side;
    if (!client) return;
    try {
      const { rows } = await client.query(
        `UPDATE ${table} SET "expires_at" = now() + make_interval(secs => $2), "heartbeat_at" = now() ` +
          `WHERE "id" = 1 AND "token" = $1 RETURNING "id"`,
        [token, seconds],
      );
      if (rows.length === 0) lost = true;
    } catch {
      // A missed renewal is not a lost lease: the next one, a third of its length later, may get through.
    }
  };
  const timer = options.openSideSession ? setInterval(() => void renew(), (seconds * 1000) / 3) : undefined;
  timer?.unref();
  return {
    kind: 'lease',
    reason,
    lost: () => lost,
    release: async () => {
      if (timer) clearInterval(timer);
      try {
        await session.query(`DELETE FROM ${table} WHERE "id" = 1 AND "token" = $1`, [token]);
      } finally {
        await (await side)?.end().catch(() => undefined);
      }
    },
  };
}

async function tryAdvisoryLock(session: SqlSession): Promise<boolean> {
  const rows = (await session.query('SELECT pg_try_advisory_lock($1, $2) AS "locked"', [...ADVISORY_LOCK_KEY])) as Array<{
    locked: boolean;
  }>;
  return rows[0]?.locked === true;
}

async function tryLockRow(session: SqlSession, lockTable: string, holderName: string): Promise<boolean> {
  const inserted = (await session.query(
    `INSERT INTO ${lockTable} ("id", "holder") VALUES (1, $1) ON CONFLICT ("id") DO NOTHING RETURNING "id"`,
    [holderName],
  )) as unknown[];
  if (inserted.length > 0) return true;
  const holder = await lockRowHolder(session, lockTable);
  const match = holder && /^nx-typeorm-migrations (\d+)@(.+)$/.exec(holder.application);
  if (match && match[2] === hostname() && !isAlive(Number(match[1]))) {
    await session.query(`DELETE FROM ${lockTable} WHERE "id" = 1 AND "holder" = $1`, [holder.application]);
  }
  return false;
}

async function lockRowHolder(session: SqlSession, lockTable: string): Promise<LockHolder | undefined> {
  const rows = (await session.query(`SELECT "holder", "since" FROM ${lockTable} WHERE "id" = 1`)) as Array<{
    holder: string;
    since: Date | string;
  }>;
  return rows[0] ? { application: rows[0].holder, since: new Date(rows[0].since) } : undefined;
}

async function advisoryLockHolder(session: SqlSession): Promise<LockHolder | undefined> {
  const rows = (await session.query(
    `SELECT a.application_name AS "application", a.backend_start AS "since"
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2
        AND l.pid <> pg_backend_pid()`,
    [...ADVISORY_LOCK_KEY],
  )) as Array<{ application: string; since: Date | string | null }>;
  const row = rows[0];
  if (!row) return undefined;
  return { application: row.application, since: row.since ? new Date(row.since) : undefined };
}

/** The embedded database's folder is in use by another process. */
export class FolderLockTimeoutError extends CodedError {
  readonly code = 'EMBEDDED_DATABASE_IN_USE';
  constructor(
    readonly lockFile: string,
    readonly waitedMs: number,
    readonly holderPid: number,
    readonly holderHost: string,
    readonly since: Date | undefined,
  ) {
    super(`Timed out after ${Math.round(waitedMs / 1000)} s waiting for ${lockFile}, held by process ${holderPid}`);
  }
}

export interface FolderLock {
  release(): Promise<void>;
}

interface LockFileContent {
  pid: number;
  host: string;
  since: string;
}

/**
 * Creates `lockFile` exclusively, waiting up to `timeoutMs` while another live process holds it. A lock file left by
 * a process that died on this host is taken over.
 */
export async function acquireFolderLock(lockFile: string, timeoutMs: number): Promise<FolderLock> {
  mkdirSync(dirname(lockFile), { recursive: true });
  const started = Date.now();
  const mine: LockFileContent = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, JSON.stringify(mine));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLockFile(lockFile);
    if (holder && holder.host === mine.host && !isAlive(holder.pid)) {
      rmSync(lockFile, { force: true });
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) {
      throw new FolderLockTimeoutError(
        lockFile,
        waited,
        holder?.pid ?? 0,
        holder?.host ?? 'unknown',
        holder?.since ? new Date(holder.since) : undefined,
      );
    }
    await sleep(Math.min(100, Math.max(timeoutMs - waited, 1)));
  }
  const releaseOnExit = () => rmSync(lockFile, { force: true });
  process.once('exit', releaseOnExit);
  return {
    async release() {
      process.removeListener('exit', releaseOnExit);
      const holder = readLockFile(lockFile);
      if (holder?.pid === mine.pid && holder.since === mine.since) rmSync(lockFile, { force: true });
    },
  };
}

function readLockFile(lockFile: string): LockFileContent | undefined {
  try {
    return JSON.parse(readFileSync(lockFile, 'utf8')) as LockFileContent;
  } catch {
    // Being written by its holder this instant, or removed: the next round sees it whole or gone.
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
