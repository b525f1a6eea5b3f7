import type { SqlSession } from './lock';

/**
 * Where a database records its migrations (docs/ARCHITECTURE.md, "Database objects"):
 * `nx_migrations_version` holds one row per applied head (Alembic's `alembic_version`), `nx_migrations_history`
 * one row per step run or stamped. A tiny contract with two implementations: PostgreSQL, and in memory (the test
 * double for pure command tests).
 */

export type HistoryDirection = 'up' | 'down' | 'stamp';

export interface HistoryEntry {
  readonly revision: string;
  readonly direction: HistoryDirection;
  readonly message: string;
  /** sha256 of the migration file (`checksumOf`); null for a revision stamped off the database. */
  readonly checksum: string | null;
  /** undefined: the database's `now()` (SQL scripts printed by `--sql`). */
  readonly startedAt: Date | undefined;
  readonly durationMs: number;
  /** OS user@host. */
  readonly appliedBy: string;
  readonly toolVersion: string;
}

export interface RecordedEntry extends HistoryEntry {
  readonly startedAt: Date;
}

/** The version rows to delete and insert, and what to log: one step or one stamp. */
export interface VersionChange {
  readonly removeHeads: readonly string[];
  readonly addHeads: readonly string[];
  readonly entries: readonly HistoryEntry[];
}

export interface VersionStore {
  /** Creates the tables when missing. */
  ensureTables(): Promise<void>;
  /** The applied heads, sorted; none when the tables do not exist yet. */
  readHeads(): Promise<string[]>;
  /**
   * Applies a change atomically with whatever transaction the session is in; `then`: statements sent in the same
   * query after it (the runner's `COMMIT` and the next `START TRANSACTION`), never run when the change fails.
   */
  record(change: VersionChange, then?: readonly string[]): Promise<void>;
  /** Deletes every version row (`stamp --purge`): for a version table in a state nothing can plan from. */
  purgeHeads(): Promise<void>;
  /** The whole log, oldest first; empty when the tables do not exist yet. */
  readHistory(): Promise<RecordedEntry[]>;
  /** Whether the log has any entry, without reading it: a database at base after many runs has a long one. */
  hasHistory(): Promise<boolean>;
  /** For each revision, the checksum its latest `up` or `stamp` entry recorded. */
  recordedChecksums(): Promise<Map<string, string | null>>;
}

export interface VersionTables {
  readonly version: string;
  readonly history: string;
  /** The lock row on PGlite (see `lock.ts`). */
  readonly lock: string;
}

/** Quoted table names, in the data source's `schema` when it has one. */
export function versionTables(schema?: string): VersionTables {
  const prefix = schema ? `${quoteIdentifier(schema)}.` : '';
  return {
    version: `${prefix}"nx_migrations_version"`,
    history: `${prefix}"nx_migrations_history"`,
    lock: `${prefix}"nx_migrations_lock"`,
  };
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL literal. The store writes literals rather than bind parameters so that `--sql` prints runnable SQL. */
export function sqlLiteral(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return String(Math.round(value));
  const text = value instanceof Date ? value.toISOString() : value;
  return `'${text.replace(/'/g, "''")}'`;
}

/** The statements that apply a change; joined with `;` they run in one round trip. */
export function versionChangeStatements(tables: VersionTables, change: VersionChange): string[] {
  const statements: string[] = [];
  if (change.removeHeads.length > 0) {
    statements.push(
      `DELETE FROM ${tables.version} WHERE "revision" IN (${change.removeHeads.map(sqlLiteral).join(', ')})`,
    );
  }
  if (change.addHeads.length > 0) {
    statements.push(
      `INSERT INTO ${tables.version} ("revision") VALUES ${change.addHeads.map((head) => `(${sqlLiteral(head)})`).join(', ')}`,
    );
  }
  if (change.entries.length > 0) {
    const rows = change.entries.map(
      (entry) =>
        `(${[
          sqlLiteral(entry.revision),
          sqlLiteral(entry.direction),
          sqlLiteral(entry.message),
          sqlLiteral(entry.checksum),
          entry.startedAt ? sqlLiteral(entry.startedAt) : 'now()',
          sqlLiteral(entry.durationMs),
          sqlLiteral(entry.appliedBy),
          sqlLiteral(entry.toolVersion),
        ].join(', ')})`,
    );
    statements.push(
      `INSERT INTO ${tables.history} ("revision", "direction", "message", "checksum", "started_at", "duration_ms", ` +
        `"applied_by", "tool_version") VALUES ${rows.join(', ')}`,
    );
  }
  return statements;
}

export function createTableStatements(tables: VersionTables): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${tables.version} ("revision" varchar(64) NOT NULL PRIMARY KEY)`,
    `CREATE TABLE IF NOT EXISTS ${tables.history} (` +
      `"id" bigserial PRIMARY KEY, ` +
      `"revision" varchar(64) NOT NULL, ` +
      `"direction" varchar(5) NOT NULL CHECK ("direction" IN ('up', 'down', 'stamp')), ` +
      `"message" text NOT NULL, ` +
      `"checksum" char(64), ` +
      `"started_at" timestamptz NOT NULL DEFAULT now(), ` +
      `"duration_ms" integer NOT NULL, ` +
      `"applied_by" text NOT NULL, ` +
      `"tool_version" varchar(32) NOT NULL)`,
  ];
}

export class PostgresVersionStore implements VersionStore {
  constructor(
    private readonly session: SqlSession,
    readonly tables: VersionTables = versionTables(),
  ) {}

  async ensureTables(): Promise<void> {
    await this.session.query(createTableStatements(this.tables).join(';\n'));
  }

  private async tablesExist(): Promise<boolean> {
    const rows = (await this.session.query(`SELECT to_regclass($1) IS NOT NULL AS "exists"`, [
      this.tables.history,
    ])) as Array<{ exists: boolean }>;
    return rows[0]?.exists === true;
  }

  async readHeads(): Promise<string[]> {
    if (!(await this.tablesExist())) return [];
    const rows = (await this.session.query(
      `SELECT "revision" FROM ${this.tables.version} ORDER BY "revision"`,
    )) as Array<{ revision: string }>;
    return rows.map((row) => row.revision);
  }

  async record(change: VersionChange, then: readonly string[] = []): Promise<void> {
    const statements = [...versionChangeStatements(this.tables, change), ...then];
    if (statements.length > 0) await this.session.query(statements.join(';\n'));
  }

  async purgeHeads(): Promise<void> {
    await this.session.query(`DELETE FROM ${this.tables.version}`);
  }

  async hasHistory(): Promise<boolean> {
    if (!(await this.tablesExist())) return false;
    const rows = (await this.session.query(
      `SELECT EXISTS (SELECT 1 FROM ${this.tables.history}) AS "any"`,
    )) as Array<{ any: boolean }>;
    return rows[0]?.any === true;
  }

  async readHistory(): Promise<RecordedEntry[]> {
    if (!(await this.tablesExist())) return [];
    const rows = (await this.session.query(
      `SELECT "revision", "direction", "message", "checksum", "started_at", "duration_ms", "applied_by", "tool_version"
         FROM ${this.tables.history} ORDER BY "id"`,
    )) as Array<Record<string, unknown>>;
    return rows.map((row) => ({
      revision: String(row['revision']),
      direction: row['direction'] as HistoryDirection,
      message: String(row['message']),
      checksum: row['checksum'] === null ? null : String(row['checksum']),
      startedAt: new Date(row['started_at'] as string | Date),
      durationMs: Number(row['duration_ms']),
      appliedBy: String(row['applied_by']),
      toolVersion: String(row['tool_version']),
    }));
  }

  async recordedChecksums(): Promise<Map<string, string | null>> {
    if (!(await this.tablesExist())) return new Map();
    const rows = (await this.session.query(
      `SELECT DISTINCT ON ("revision") "revision", "checksum" FROM ${this.tables.history}
        WHERE "direction" IN ('up', 'stamp') ORDER BY "revision", "id" DESC`,
    )) as Array<{ revision: string; checksum: string | null }>;
    return new Map(rows.map((row) => [row.revision, row.checksum]));
  }
}

/** The canonical test double: the same contract, kept in memory. */
export class InMemoryVersionStore implements VersionStore {
  private heads = new Set<string>();
  private readonly history: RecordedEntry[] = [];
  private created = false;

  constructor(initialHeads: readonly string[] = []) {
    if (initialHeads.length > 0) {
      this.created = true;
      for (const head of initialHeads) this.heads.add(head);
    }
  }

  async ensureTables(): Promise<void> {
    this.created = true;
  }

  async readHeads(): Promise<string[]> {
    return [...this.heads].sort();
  }

  async record(change: VersionChange, then: readonly string[] = []): Promise<void> {
    if (then.length > 0) throw new Error('The in-memory version store sends no SQL: run the steps with joinCommits: false.');
    if (!this.created) throw new Error('relation "nx_migrations_version" does not exist');
    const next = new Set(this.heads);
    for (const head of change.removeHeads) next.delete(head);
    for (const head of change.addHeads) {
      if (next.has(head)) throw new Error(`duplicate key value violates unique constraint: revision ${head}`);
      next.add(head);
    }
    this.heads = next;
    for (const entry of change.entries) this.history.push({ ...entry, startedAt: entry.startedAt ?? new Date() });
  }

  async purgeHeads(): Promise<void> {
    this.heads.clear();
  }

  async readHistory(): Promise<RecordedEntry[]> {
    return [...this.history];
  }

  async hasHistory(): Promise<boolean> {
    return this.history.length > 0;
  }

  async recordedChecksums(): Promise<Map<string, string | null>> {
    const checksums = new Map<string, string | null>();
    for (const entry of this.history) {
      if (entry.direction !== 'down') checksums.set(entry.revision, entry.checksum);
    }
    return checksums;
  }
}
