/**
 * The risky-PostgreSQL rules of `migrate-check`, drawn from squawk, strong_migrations and Atlas where they apply to
 * PostgreSQL. Each names what locks or rewrites a table that production traffic is using (or breaks the release
 * still running), and the form that does not. "Existing table" means a table the migration did not create itself:
 * an index or a NOT NULL column on a table created a few statements earlier touches no rows and blocks nobody.
 *
 * An `error` fails the gate; a `warning` is printed (and in the JSON document) but passes: it names a choice that
 * is usually wrong for a long-lived table (a 32-bit key, a timestamp without its zone) rather than a lock.
 */
export type LintSeverity = 'error' | 'warning';

export interface LintRule {
  readonly id: string;
  readonly severity: LintSeverity;
  readonly title: string;
  readonly reason: string;
  readonly saferForm: string;
}

export const LINT_RULES = {
  unreadable: {
    id: 'PG000',
    severity: 'error',
    title: 'SQL that cannot be linted',
    reason: 'the statement is built at run time or does not parse as PostgreSQL, so no rule can vouch for it',
    saferForm: 'write the SQL as a literal string, one statement per queryRunner.query call, or allow it after review',
  },
  indexWithoutConcurrently: {
    id: 'PG001',
    severity: 'error',
    title: 'index created without CONCURRENTLY on an existing table',
    reason: 'CREATE INDEX holds a SHARE lock that blocks every write to the table until the index is built',
    saferForm: 'CREATE INDEX CONCURRENTLY in a migration with `transactional = false`',
  },
  notNullWithoutDefault: {
    id: 'PG002',
    severity: 'error',
    title: 'NOT NULL column added without a default to an existing table',
    reason: 'the statement fails as soon as the table has a row, which production has and a fresh database has not',
    saferForm: 'add the column with a DEFAULT, or add it nullable, backfill it, then SET NOT NULL',
  },
  columnTypeChange: {
    id: 'PG003',
    severity: 'error',
    title: 'column type changed on an existing table',
    reason: 'most type changes rewrite the whole table under an ACCESS EXCLUSIVE lock, blocking reads and writes',
    saferForm: 'add a new column of the new type, backfill it in batches, switch the code over, then drop the old one',
  },
  rename: {
    id: 'PG004',
    severity: 'error',
    title: 'column or table renamed',
    reason: 'the application instances still running the previous release query the old name and fail',
    saferForm:
      'add the new name (column or view), deploy code that uses it, and remove the old name in a later release',
  },
  drop: {
    id: 'PG005',
    severity: 'error',
    title: 'column or table dropped',
    reason: 'the data is gone for good and the instances still running the previous release fail on the missing name',
    saferForm: 'stop using it in a release first, then drop it in a later migration, and allow this rule there',
  },
  foreignKeyWithoutNotValid: {
    id: 'PG006',
    severity: 'error',
    title: 'foreign key added to an existing table without NOT VALID',
    reason: 'validating every existing row holds locks on both tables for the whole scan',
    saferForm: 'ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT (a lock that lets writes through)',
  },
  volatileDefault: {
    id: 'PG007',
    severity: 'error',
    title: 'column with a volatile default added to an existing table',
    reason:
      'a volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval() of a serial) rewrites the whole table under an ACCESS EXCLUSIVE lock',
    saferForm: 'add the column without a default, set the default, then backfill existing rows in batches',
  },
  setNotNull: {
    id: 'PG008',
    severity: 'error',
    title: 'SET NOT NULL on a column of an existing table',
    reason: 'PostgreSQL scans the whole table under an ACCESS EXCLUSIVE lock to prove there is no NULL',
    saferForm:
      'ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL (uses the check)',
  },
  concurrentlyInTransaction: {
    id: 'PG009',
    severity: 'error',
    title: 'CONCURRENTLY inside a transactional migration',
    reason: 'PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY inside a transaction block, so the migration fails',
    saferForm: 'export `const transactional = false` from this migration, and keep it to the concurrent statements',
  },
  uniqueWithoutIndex: {
    id: 'PG010',
    severity: 'error',
    title: 'unique constraint added to an existing table without an index built first',
    reason: 'ADD CONSTRAINT ... UNIQUE builds its index under an ACCESS EXCLUSIVE lock, blocking reads and writes',
    saferForm:
      'CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX, in a migration with `transactional = false`',
  },
  primaryKeyWithoutIndex: {
    id: 'PG011',
    severity: 'error',
    title: 'primary key added to an existing table without an index built first',
    reason: 'ADD PRIMARY KEY builds its index (and checks NOT NULL) under an ACCESS EXCLUSIVE lock',
    saferForm:
      'CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX, in a migration with `transactional = false`',
  },
  enumValueChanged: {
    id: 'PG012',
    severity: 'error',
    title: 'enum value removed or renamed',
    reason:
      'rows and the previous release still use the old value; removing one recreates the type and rewrites every column of it',
    saferForm: 'only add enum values (ALTER TYPE ... ADD VALUE); stop writing a value in one release, migrate rows, then recreate the type',
  },
  dropIndexWithoutConcurrently: {
    id: 'PG013',
    severity: 'error',
    title: 'index dropped without CONCURRENTLY',
    reason: 'DROP INDEX waits for an ACCESS EXCLUSIVE lock on the table, and every query queues behind it',
    saferForm: 'DROP INDEX CONCURRENTLY in a migration with `transactional = false`',
  },
  timestampWithoutTimeZone: {
    id: 'PG014',
    severity: 'warning',
    title: 'timestamp without time zone',
    reason: 'the value means a different instant for every server or session time zone that reads or writes it',
    saferForm: 'timestamptz (timestamp with time zone); in TypeORM `type: "timestamptz"`',
  },
  thirtyTwoBitPrimaryKey: {
    id: 'PG015',
    severity: 'warning',
    title: 'serial or integer primary key',
    reason: 'a 32-bit key runs out at 2.1 billion rows, and widening it later rewrites the table and every foreign key',
    saferForm: 'bigint GENERATED BY DEFAULT AS IDENTITY; in TypeORM `@PrimaryGeneratedColumn("identity", { type: "bigint" })`',
  },
  tableRewrite: {
    id: 'PG016',
    severity: 'error',
    title: 'VACUUM FULL or CLUSTER',
    reason: 'both rewrite the whole table under an ACCESS EXCLUSIVE lock, blocking reads and writes until done',
    saferForm: 'a plain VACUUM, or pg_repack outside the migration',
  },
  truncate: {
    id: 'PG017',
    severity: 'error',
    title: 'TRUNCATE of an existing table',
    reason: 'it deletes every row for good under an ACCESS EXCLUSIVE lock, and cascades to nothing you can undo',
    saferForm: 'DELETE in batches, or move the data to an archive table first, and allow this rule after review',
  },
  lockTable: {
    id: 'PG018',
    severity: 'error',
    title: 'explicit LOCK TABLE',
    reason: 'the lock is held until the migration commits, and every query of the table queues behind it',
    saferForm: 'drop the explicit lock and use statements that take weaker locks, with a lock_timeout',
  },
  reindexWithoutConcurrently: {
    id: 'PG019',
    severity: 'error',
    title: 'REINDEX without CONCURRENTLY',
    reason: 'REINDEX blocks writes to the table (and reads through the index) until every index is rebuilt',
    saferForm: 'REINDEX ... CONCURRENTLY in a migration with `transactional = false`',
  },
  checkWithoutNotValid: {
    id: 'PG020',
    severity: 'error',
    title: 'CHECK constraint added to an existing table without NOT VALID',
    reason: 'validating every existing row holds an ACCESS EXCLUSIVE lock for the whole scan',
    saferForm: 'ADD CONSTRAINT ... CHECK (...) NOT VALID, then VALIDATE CONSTRAINT (a lock that lets writes through)',
  },
  storedGeneratedColumn: {
    id: 'PG021',
    severity: 'error',
    title: 'stored generated column added to an existing table',
    reason: 'computing the column for every row rewrites the whole table under an ACCESS EXCLUSIVE lock',
    saferForm: 'add a plain nullable column, fill it with a trigger and a batched backfill',
  },
  fixedLengthChar: {
    id: 'PG022',
    severity: 'warning',
    title: 'char(n) column',
    reason: 'char(n) pads values with spaces and is no faster than text; changing n later rewrites the table',
    saferForm: 'text or varchar, with a CHECK (length(col) <= n) if the length matters',
  },
  jsonColumn: {
    id: 'PG023',
    severity: 'warning',
    title: 'json column instead of jsonb',
    reason: 'json has no equality operator (SELECT DISTINCT, UNION and GROUP BY fail on it) and no index support',
    saferForm: 'jsonb',
  },
  wholeTableUpdate: {
    id: 'PG024',
    severity: 'warning',
    title: 'UPDATE or DELETE of every row in a transactional migration',
    reason: 'every row stays locked until the migration commits, blocking the application writes to them',
    saferForm: 'backfill in batches in a migration with `transactional = false`, or add a WHERE that bounds it',
  },
} as const satisfies Record<string, LintRule>;

export const ALL_LINT_RULES: readonly LintRule[] = Object.values(LINT_RULES);

/** The comment that accepts a finding of `rule` after review, above the call or inside the SQL. */
export function allowComment(rule: LintRule): string {
  return `// migrate-check-allow ${rule.id}: <reason>`;
}
