import type { QueryRunner } from 'typeorm';
import type { SqlSession } from './lock';
import { sqlLiteral } from './version-store';

/**
 * Progress of migrations that run without a transaction (`transactional = false`), statement by statement, so that
 * one stopped half-way (a failure, a crash, a lost connection) is resumed after its last completed statement instead
 * of starting again or being left to the user.
 *
 * `nx_migrations_progress` holds one row per partly applied step: its revision, direction, how many of its
 * statements completed, the checksum of its file, and the last completed statement. Each statement that can run in a
 * transaction runs in one with the row's update, so a crash either keeps both or neither: such statements run
 * exactly once. A statement PostgreSQL refuses in a transaction (`CREATE INDEX CONCURRENTLY`, `VACUUM`...) runs alone
 * and the row is updated right after; a crash between the two runs that one statement again on resume. The step's
 * version change deletes the row, in one query.
 */

export interface StepProgress {
  readonly revision: string;
  readonly direction: 'up' | 'down';
  /** Statements of the step that completed. */
  readonly statementsDone: number;
  readonly checksum: string;
  readonly lastStatement: string;
  readonly updatedAt: Date;
}

export function progressTable(schema?: string): string {
  return `${schema ? `"${schema.replace(/"/g, '""')}".` : ''}"nx_migrations_progress"`;
}

export class ProgressStore {
  private created = false;

  constructor(
    private readonly session: SqlSession,
    readonly table: string,
  ) {}

  /** Every partly applied step; none when the table does not exist (nothing is created by reading). */
  async read(): Promise<StepProgress[]> {
    const exists = (await this.session.query(`SELECT to_regclass($1) IS NOT NULL AS "exists"`, [this.table])) as Array<{
      exists: boolean;
    }>;
    if (!exists[0]?.exists) return [];
    const rows = (await this.session.query(
      `SELECT "revision", "direction", "statements_done" AS "statementsDone", "checksum", "last_statement" AS "lastStatement",
              "updated_at" AS "updatedAt" FROM ${this.table} ORDER BY "updated_at"`,
    )) as Array<Omit<StepProgress, 'updatedAt'> & { updatedAt: Date | string }>;
    return rows.map((row) => ({ ...row, statementsDone: Number(row.statementsDone), updatedAt: new Date(row.updatedAt) }));
  }

  async ensureTable(): Promise<void> {
    if (this.created) return;
    await this.session.query(
      `CREATE TABLE IF NOT EXISTS ${this.table} ("revision" varchar(64) NOT NULL, "direction" varchar(4) NOT NULL, ` +
        `"statements_done" integer NOT NULL, "checksum" varchar(64), "last_statement" text NOT NULL, ` +
        `"updated_at" timestamptz NOT NULL DEFAULT now(), PRIMARY KEY ("revision", "direction"))`,
    );
    this.created = true;
  }

  /** The statement that records `done` completed statements of a step. */
  advance(progress: Omit<StepProgress, 'updatedAt'>): string {
    return (
      `INSERT INTO ${this.table} ("revision", "direction", "statements_done", "checksum", "last_statement") VALUES ` +
      `(${sqlLiteral(progress.revision)}, ${sqlLiteral(progress.direction)}, ${progress.statementsDone}, ` +
      `${sqlLiteral(progress.checksum)}, ${sqlLiteral(progress.lastStatement)}) ON CONFLICT ("revision", "direction") DO UPDATE ` +
      `SET "statements_done" = EXCLUDED."statements_done", "last_statement" = EXCLUDED."last_statement", "updated_at" = now()`
    );
  }

  /** The statement that forgets a step's progress: sent with its version change, so both happen or neither. */
  clear(revision: string, direction: 'up' | 'down'): string {
    return `DELETE FROM ${this.table} WHERE "revision" = ${sqlLiteral(revision)} AND "direction" = ${sqlLiteral(direction)}`;
  }
}

/** A partly applied step's file no longer issues the statements that ran: resuming it would skip the wrong ones. */
class ResumeMismatchError extends Error {
  override readonly name = 'ResumeMismatchError';
  /** The statement the file now sends there, which the failure message blames. */
  readonly query: string | undefined;
  constructor(
    readonly progress: StepProgress,
    /** What the file now sends at the position of the last completed statement (undefined: it sends fewer). */
    readonly found: string | undefined,
  ) {
    super(
      `cannot resume: its statement ${progress.statementsDone} was ${progress.lastStatement} when an earlier run ` +
        `completed it, and is now ${found ?? 'missing'}; restore the statements that ran`,
    );
    this.query = found;
  }
}

const TRANSACTION_CONTROL = /^\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE)\b/i;
const OPENS = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;
const CLOSES = /^\s*(COMMIT|END|ROLLBACK|ABORT)\b(?!\s+TO\b)/i;
/** Reads, sent again on resume for their answer (a migration may decide on it) rather than answered empty. */
const READ = /^\s*(SELECT|SHOW|VALUES|TABLE|EXPLAIN)\b/i;

export interface ResumableStep {
  readonly revision: string;
  readonly direction: 'up' | 'down';
  readonly checksum: string;
  /** Progress of an earlier run of this step, to resume after. */
  readonly resumeFrom?: StepProgress;
}

/**
 * Makes `queryRunner.query` record each completed statement of a non-transactional step, and skip the ones an
 * earlier run completed. Returns a function restoring the runner, and the number of statements it skipped.
 */
export function recordProgress(
  queryRunner: QueryRunner,
  store: ProgressStore,
  step: ResumableStep,
): { restore(): void; skipped(): number; completed(): number } {
  const own = Object.prototype.hasOwnProperty.call(queryRunner, 'query');
  const original = queryRunner.query as (sql: string, parameters?: unknown[], structured?: boolean) => Promise<unknown>;
  const send = (sql: string, parameters?: unknown[], structured?: boolean) =>
    original.call(queryRunner, sql, parameters, structured);
  const skip = step.resumeFrom?.statementsDone ?? 0;
  let index = 0;
  let skipped = 0;
  // Statements completed, counting those an earlier run completed.
  let completed = skip;
  // Transactions the migration opened itself: statements in them are recorded in them.
  let ownTransaction = false;
  queryRunner.query = (async (sql: string, parameters?: unknown[], structured?: boolean) => {
    const position = index;
    index += 1;
    if (position < skip) {
      if (position === skip - 1 && normalise(sql) !== normalise(step.resumeFrom!.lastStatement)) {
        throw new ResumeMismatchError(step.resumeFrom!, sql);
      }
      skipped += 1;
      if (READ.test(sql)) return send(sql, parameters, structured);
      return structured ? { records: [], raw: [] } : [];
    }
    const advance = store.advance({ ...step, statementsDone: position + 1, lastStatement: sql });
    if (TRANSACTION_CONTROL.test(sql)) {
      const result = await send(sql, parameters, structured);
      if (OPENS.test(sql)) ownTransaction = true;
      else if (CLOSES.test(sql)) {
        ownTransaction = false;
        await send(advance);
        completed = position + 1;
      }
      return result;
    }
    if (ownTransaction) {
      const result = await send(sql, parameters, structured);
      await send(advance);
      return result;
    }
    await send('START TRANSACTION');
    let result: unknown;
    try {
      result = await send(sql, parameters, structured);
    } catch (error) {
      await send('ROLLBACK').catch(() => undefined);
      // 25001: PostgreSQL runs this statement only outside a transaction (CREATE INDEX CONCURRENTLY, VACUUM...).
      if ((error as { code?: string }).code !== '25001') throw error;
      result = await send(sql, parameters, structured);
      await send(advance);
      completed = position + 1;
      return result;
    }
    await send(`${advance};\nCOMMIT`);
    completed = position + 1;
    return result;
  }) as QueryRunner['query'];
  return {
    skipped: () => skipped,
    completed: () => completed,
    restore: () => {
      if (own) queryRunner.query = original as QueryRunner['query'];
      else delete (queryRunner as Partial<QueryRunner>).query;
    },
  };
}

function normalise(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}
