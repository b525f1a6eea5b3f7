import type { QueryRunner } from 'typeorm';
import { openSideSession, type SideSession } from './side-session';

/**
 * Timeouts of a migration's transaction, and what stands in its way when it waits for a lock.
 *
 * A migration that waits for a lock (an `ALTER TABLE` behind a long transaction) makes every query that wants the
 * same table queue behind it: the application stops while the migration waits. `lock_timeout` bounds that wait, the
 * step is rolled back and tried again a little later, and when it never gets its lock the message names the session
 * that held it, read from `pg_stat_activity` while the step was waiting.
 */

export interface StepTimeouts {
  /** PostgreSQL's `lock_timeout` for each transactional migration (`'5s'`; `'0'`: wait forever). */
  readonly lockTimeout: string;
  /** PostgreSQL's `statement_timeout` likewise (`'0'`: no limit). */
  readonly statementTimeout: string;
}

export const DEFAULT_STEP_TIMEOUTS: StepTimeouts = { lockTimeout: '5s', statementTimeout: '0' };

/** Tries after the first one for a step that timed out on a lock. */
export const DEFAULT_LOCK_RETRIES = 3;

/** Wait before retry `attempt` (1, 2, ...): 1 s, 2 s, 4 s, ... at most 30 s. */
export function retryDelayMs(attempt: number, firstDelayMs = 1000): number {
  return Math.min(firstDelayMs * 2 ** (attempt - 1), 30_000);
}

/** The `SET LOCAL` statements that give a migration's transaction its timeouts. */
export function timeoutStatements(timeouts: StepTimeouts): string[] {
  return [
    `SET LOCAL lock_timeout = ${durationLiteral(timeouts.lockTimeout)}`,
    `SET LOCAL statement_timeout = ${durationLiteral(timeouts.statementTimeout)}`,
  ];
}

function durationLiteral(duration: string): string {
  return `'${duration.replace(/'/g, "''")}'`;
}

/** SQLSTATE 55P03 (`lock_not_available`): `lock_timeout` expired, or a `NOWAIT` found the lock taken. */
export function isLockNotAvailable(error: unknown): boolean {
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  return candidate?.code === '55P03' || candidate?.driverError?.code === '55P03';
}

/** A session that held a lock a migration waited for. */
export interface Blocker {
  readonly pid: number;
  readonly application: string;
  /** Its current (or last) query, as `pg_stat_activity` shows it. */
  readonly query: string;
  /** `active`, `idle in transaction`, ... */
  readonly state: string;
  /** When its transaction started. */
  readonly transactionStart?: Date;
}

/** Watches for sessions that block the runs's own sessions, while a step runs. */
export interface BlockerWatch {
  /** Starts watching (a step starts); `stop` returns the blockers last seen while it ran. */
  start(): void;
  stop(): readonly Blocker[];
  close(): Promise<void>;
}

/**
 * Every `intervalMs` while a step runs, asks through a second session to `queryRunner`'s database which sessions
 * block a session named `application` (ours: the name carries our pid and host, and holds behind a pooler too, where
 * the server pid of our transaction is not ours to know). Nothing is asked during steps shorter than `intervalMs`,
 * and the second session is opened only when a step first runs that long.
 */
export function watchBlockers(queryRunner: QueryRunner, application: string, intervalMs = 250): BlockerWatch {
  let observer: Promise<SideSession> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let seen: Blocker[] = [];
  let running = false;
  let generation = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const poll = (mine: number) => {
    inFlight = ask(mine);
  };
  const ask = async (mine: number) => {
    try {
      observer ??= openSideSession(queryRunner);
      const { rows } = (await (await observer).query(
        `SELECT DISTINCT b.pid AS "pid", coalesce(b.application_name, '') AS "application", coalesce(b.query, '') AS "query",
                coalesce(b.state, '') AS "state", b.xact_start AS "transactionStart"
           FROM pg_stat_activity w
           CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocking(pid)
           JOIN pg_stat_activity b ON b.pid = blocking.pid
          WHERE w.application_name = $1 AND w.pid <> pg_backend_pid() AND b.application_name IS DISTINCT FROM $1`,
        [application],
      )) as { rows: Array<{ pid: number; application: string; query: string; state: string; transactionStart: Date | string | null }> };
      if (mine !== generation) return;
      if (rows.length > 0) {
        seen = rows.map((row) => ({
          pid: Number(row.pid),
          application: row.application,
          query: row.query,
          state: row.state,
          transactionStart: row.transactionStart ? new Date(row.transactionStart) : undefined,
        }));
      }
    } catch {
      // Watching is a courtesy for the message: a server that refuses it (permissions, a lost connection) only
      // costs the holder's name.
    }
    if (running && mine === generation) timer = setTimeout(() => poll(mine), intervalMs);
  };
  return {
    start() {
      running = true;
      generation += 1;
      seen = [];
      const mine = generation;
      timer = setTimeout(() => poll(mine), intervalMs);
    },
    stop() {
      running = false;
      generation += 1;
      if (timer) clearTimeout(timer);
      timer = undefined;
      return seen;
    },
    async close() {
      this.stop();
      await inFlight;
      await observer?.then((client) => client.end()).catch(() => undefined);
      observer = undefined;
    },
  };
}
