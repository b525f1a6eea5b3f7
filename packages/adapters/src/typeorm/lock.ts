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
  /** `advisory`: a session lock of the server; `row`: the lock row of a database with one shared session (PGlite). */
  readonly kind: 'advisory' | 'row';
  release(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The migration lock of the database `session` is connected to, waiting up to `timeoutMs` (0: one try).
 *
 * A PostgreSQL server gets `pg_try_advisory_lock`, released by the server if we die. PGlite runs every connection in
 * one shared session, where an advisory lock excludes nobody, so there the lock is a row of `lockTable` naming its
 * holder; a row left by a dead process on this host is taken over.
 */
export async function acquireMigrationLock(session: SqlSession, lockTable: string, timeoutMs: number): Promise<HeldLock> {
  const versionRows = (await session.query('SELECT version() AS "version"')) as Array<{ version: string }>;
  const sharedSession = /PGlite/i.test(versionRows[0]?.version ?? '');
  const holderName = `nx-typeorm-migrations ${process.pid}@${hostname()}`;
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
