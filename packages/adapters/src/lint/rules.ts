/**
 * The risky-PostgreSQL rules of `migrate-check`. Each names what locks or rewrites a table that production traffic
 * is using, and the form that does not. "Existing table" means a table the migration did not create itself: an
 * index or a NOT NULL column on a table created a few statements earlier touches no rows and blocks nobody.
 */
export interface LintRule {
  readonly id: string;
  readonly title: string;
  readonly reason: string;
  readonly saferForm: string;
}

export const LINT_RULES = {
  unreadable: {
    id: 'PG000',
    title: 'SQL that cannot be linted',
    reason: 'the statement is built at run time or does not parse as PostgreSQL, so no rule can vouch for it',
    saferForm: 'write the SQL as a literal string, one statement per queryRunner.query call, or allow it after review',
  },
  indexWithoutConcurrently: {
    id: 'PG001',
    title: 'index created without CONCURRENTLY on an existing table',
    reason: 'CREATE INDEX holds a SHARE lock that blocks every write to the table until the index is built',
    saferForm: 'CREATE INDEX CONCURRENTLY in a migration with `transactional = false`',
  },
  notNullWithoutDefault: {
    id: 'PG002',
    title: 'NOT NULL column added without a default to an existing table',
    reason: 'the statement fails as soon as the table has a row, which production has and a fresh database has not',
    saferForm: 'add the column with a DEFAULT, or add it nullable, backfill it, then SET NOT NULL',
  },
  columnTypeChange: {
    id: 'PG003',
    title: 'column type changed on an existing table',
    reason: 'most type changes rewrite the whole table under an ACCESS EXCLUSIVE lock, blocking reads and writes',
    saferForm: 'add a new column of the new type, backfill it in batches, switch the code over, then drop the old one',
  },
  rename: {
    id: 'PG004',
    title: 'column or table renamed',
    reason: 'the application instances still running the previous release query the old name and fail',
    saferForm:
      'add the new name (column or view), deploy code that uses it, and remove the old name in a later release',
  },
  drop: {
    id: 'PG005',
    title: 'column or table dropped',
    reason: 'the data is gone for good and the instances still running the previous release fail on the missing name',
    saferForm: 'stop using it in a release first, then drop it in a later migration, and allow this rule there',
  },
  foreignKeyWithoutNotValid: {
    id: 'PG006',
    title: 'foreign key added to an existing table without NOT VALID',
    reason: 'validating every existing row holds locks on both tables for the whole scan',
    saferForm: 'ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a later migration',
  },
  volatileDefault: {
    id: 'PG007',
    title: 'column with a volatile default added to an existing table',
    reason:
      'a volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval() of a serial) rewrites the whole table under an ACCESS EXCLUSIVE lock',
    saferForm: 'add the column without a default, set the default, then backfill existing rows in batches',
  },
  setNotNull: {
    id: 'PG008',
    title: 'SET NOT NULL on a column of an existing table',
    reason: 'PostgreSQL scans the whole table under an ACCESS EXCLUSIVE lock to prove there is no NULL',
    saferForm:
      'ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL (uses the check)',
  },
  concurrentlyInTransaction: {
    id: 'PG009',
    title: 'CONCURRENTLY inside a transactional migration',
    reason: 'PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY inside a transaction block, so the migration fails',
    saferForm: 'export `const transactional = false` from this migration, and keep it to the concurrent statement',
  },
} as const satisfies Record<string, LintRule>;

export const ALL_LINT_RULES: readonly LintRule[] = Object.values(LINT_RULES);
