import { allowedRuleIds, lintStatements, type LintedStatement } from './sql-lint';

/** The rule ids found in `up` statements given as SQL strings, one call each. */
async function ruleIds(sqls: readonly string[], transactional = true): Promise<string[]> {
  const statements: LintedStatement[] = sqls.map((sql, index) => ({
    sql,
    line: index + 1,
    allowed: new Set(),
  }));
  const findings = await lintStatements(statements, { transactional });
  return findings.map((finding) => finding.rule.id);
}

describe('lintStatements', () => {
  describe('PG001 index without CONCURRENTLY', () => {
    it('flags CREATE INDEX on an existing table', async () => {
      expect(await ruleIds(['CREATE INDEX "IDX_name" ON "users" ("name")'])).toEqual(['PG001']);
    });
    it('flags CREATE UNIQUE INDEX on an existing table', async () => {
      expect(await ruleIds(['CREATE UNIQUE INDEX "UQ_email" ON "users" ("email")'])).toEqual(['PG001']);
    });
    it('accepts CREATE INDEX CONCURRENTLY outside a transaction', async () => {
      expect(await ruleIds(['CREATE INDEX CONCURRENTLY "IDX_name" ON "users" ("name")'], false)).toEqual([]);
    });
    it('accepts an index on a table created earlier in the same migration', async () => {
      expect(
        await ruleIds([
          'CREATE TABLE "users" ("id" SERIAL PRIMARY KEY, "name" text)',
          'CREATE INDEX ON "users" ("name")',
        ]),
      ).toEqual([]);
    });
    it('accepts an index on a table made with CREATE TABLE AS in the same migration', async () => {
      expect(await ruleIds(['CREATE TABLE "copy" AS SELECT 1 AS "n"', 'CREATE INDEX ON "copy" ("n")'])).toEqual([]);
    });
    it('names the index and the table', async () => {
      const [finding] = await lintStatements(
        [
          {
            sql: 'CREATE INDEX "IDX_name" ON "users" ("name")',
            line: 12,
            allowed: new Set(),
          },
        ],
        { transactional: true },
      );
      expect(finding).toMatchObject({
        line: 12,
        subject: 'CREATE INDEX "IDX_name" ON "users"',
      });
      expect(finding.rule.saferForm).toContain('CONCURRENTLY');
    });
  });

  describe('PG002 NOT NULL column without default', () => {
    it('flags ADD COLUMN ... NOT NULL with no default', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ADD "age" integer NOT NULL'])).toEqual(['PG002']);
    });
    it('accepts NOT NULL with a constant default', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ADD "age" integer NOT NULL DEFAULT 0'])).toEqual([]);
    });
    it('accepts a nullable column', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ADD COLUMN "nickname" text'])).toEqual([]);
    });
    it('accepts an identity column, which fills itself', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ADD "n" integer GENERATED ALWAYS AS IDENTITY NOT NULL'])).toEqual([]);
    });
    it('accepts NOT NULL without default on a table created in the same migration', async () => {
      expect(await ruleIds(['CREATE TABLE "t" ("id" int)', 'ALTER TABLE "t" ADD "age" integer NOT NULL'])).toEqual([]);
    });
  });

  describe('PG003 column type change', () => {
    it('flags ALTER COLUMN ... TYPE', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ALTER COLUMN "age" TYPE bigint'])).toEqual(['PG003']);
    });
    it('flags SET DATA TYPE ... USING', async () => {
      expect(await ruleIds(['ALTER TABLE users ALTER age SET DATA TYPE text USING age::text'])).toEqual(['PG003']);
    });
    it('accepts other ALTER COLUMN forms such as SET DEFAULT', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ALTER COLUMN "age" SET DEFAULT 0'])).toEqual([]);
    });
  });

  describe('PG004 rename', () => {
    it('flags RENAME COLUMN', async () => {
      expect(await ruleIds(['ALTER TABLE "users" RENAME COLUMN "name" TO "full_name"'])).toEqual(['PG004']);
    });
    it('flags a table rename', async () => {
      expect(await ruleIds(['ALTER TABLE "users" RENAME TO "people"'])).toEqual(['PG004']);
    });
    it('accepts renaming a table created in the same migration, and keeps treating it as new', async () => {
      expect(
        await ruleIds([
          'CREATE TABLE "tmp" ("id" int)',
          'ALTER TABLE "tmp" RENAME TO "t"',
          'CREATE INDEX ON "t" ("id")',
        ]),
      ).toEqual([]);
    });
    it('accepts renaming a constraint', async () => {
      expect(await ruleIds(['ALTER TABLE "users" RENAME CONSTRAINT "a" TO "b"'])).toEqual([]);
    });
  });

  describe('PG005 drop', () => {
    it('flags DROP TABLE', async () => {
      expect(await ruleIds(['DROP TABLE "users"'])).toEqual(['PG005']);
    });
    it('flags each table of a DROP TABLE list', async () => {
      expect(await ruleIds(['DROP TABLE IF EXISTS "a", public."b"'])).toEqual(['PG005', 'PG005']);
    });
    it('flags DROP COLUMN', async () => {
      expect(await ruleIds(['ALTER TABLE "users" DROP COLUMN "age"'])).toEqual(['PG005']);
    });
    it('accepts dropping a table created in the same migration', async () => {
      expect(await ruleIds(['CREATE TABLE "scratch" ("id" int)', 'DROP TABLE "scratch"'])).toEqual([]);
    });
    it('accepts DROP INDEX and DROP VIEW', async () => {
      expect(await ruleIds(['DROP INDEX "IDX_name"', 'DROP VIEW "v"'])).toEqual([]);
    });
  });

  describe('PG006 foreign key without NOT VALID', () => {
    const addForeignKey =
      'ALTER TABLE "posts" ADD CONSTRAINT "FK_author" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE CASCADE';
    it('flags ADD CONSTRAINT ... FOREIGN KEY', async () => {
      expect(await ruleIds([addForeignKey])).toEqual(['PG006']);
    });
    it('accepts the same constraint with NOT VALID', async () => {
      expect(await ruleIds([`${addForeignKey} NOT VALID`])).toEqual([]);
    });
    it('accepts VALIDATE CONSTRAINT', async () => {
      expect(await ruleIds(['ALTER TABLE "posts" VALIDATE CONSTRAINT "FK_author"'])).toEqual([]);
    });
    it('flags a column added with an inline REFERENCES', async () => {
      expect(await ruleIds(['ALTER TABLE "posts" ADD "editor_id" integer REFERENCES "users"("id")'])).toEqual([
        'PG006',
      ]);
    });
    it('accepts a foreign key added to a table created in the same migration', async () => {
      expect(await ruleIds(['CREATE TABLE "posts" ("id" int, "author_id" int)', addForeignKey])).toEqual([]);
    });
    it('accepts a CHECK or UNIQUE constraint (not this rule)', async () => {
      expect(await ruleIds(['ALTER TABLE "posts" ADD CONSTRAINT "CHK" CHECK ("id" > 0) NOT VALID'])).toEqual([]);
    });
  });

  describe('PG007 volatile default', () => {
    it.each(['gen_random_uuid()', 'random()', 'clock_timestamp()', 'uuid_generate_v4()', "nextval('s')"])(
      'flags DEFAULT %s on ADD COLUMN',
      async (expression) => {
        expect(await ruleIds([`ALTER TABLE "users" ADD "x" text DEFAULT ${expression}`])).toEqual(['PG007']);
      },
    );
    it('flags a volatile call nested in an expression', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ADD "x" text DEFAULT md5(random()::text)'])).toEqual(['PG007']);
    });
    it('flags a serial column added to an existing table', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ADD "n" bigserial'])).toEqual(['PG007']);
    });
    it('accepts now(), which is stable and evaluated once without a rewrite', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ADD "created_at" timestamptz NOT NULL DEFAULT now()'])).toEqual([]);
    });
    it('accepts a constant default', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ADD "status" text DEFAULT \'new\''])).toEqual([]);
    });
    it('accepts a volatile default in CREATE TABLE', async () => {
      expect(await ruleIds(['CREATE TABLE "t" ("id" uuid PRIMARY KEY DEFAULT gen_random_uuid())'])).toEqual([]);
    });
  });

  describe('PG008 SET NOT NULL', () => {
    it('flags SET NOT NULL on an existing table', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL'])).toEqual(['PG008']);
    });
    it('accepts DROP NOT NULL', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ALTER COLUMN "email" DROP NOT NULL'])).toEqual([]);
    });
  });

  describe('PG009 CONCURRENTLY inside a transaction', () => {
    it('flags CREATE INDEX CONCURRENTLY in a transactional migration', async () => {
      expect(await ruleIds(['CREATE INDEX CONCURRENTLY ON "users" ("name")'], true)).toEqual(['PG009']);
    });
    it('flags DROP INDEX CONCURRENTLY in a transactional migration', async () => {
      expect(await ruleIds(['DROP INDEX CONCURRENTLY "IDX_name"'], true)).toEqual(['PG009']);
    });
    it('accepts DROP INDEX CONCURRENTLY with transactional = false', async () => {
      expect(await ruleIds(['DROP INDEX CONCURRENTLY "IDX_name"'], false)).toEqual([]);
    });
  });

  describe('PG000 unreadable SQL', () => {
    it('flags SQL that does not parse, with the parser message', async () => {
      const [finding] = await lintStatements([{ sql: 'CREATE TABL x', line: 3, allowed: new Set() }], {
        transactional: true,
      });
      expect(finding.rule.id).toBe('PG000');
      expect(finding.subject).toContain('syntax error at or near "TABL"');
    });
    it('flags SQL built at run time', async () => {
      expect(await lintStatements([{ sql: undefined, line: 3, allowed: new Set() }], { transactional: true })).toEqual([
        expect.objectContaining({ line: 3, subject: 'SQL built at run time' }),
      ]);
    });
  });

  describe('allowing a rule per statement', () => {
    it('honours a TypeScript comment above the call', async () => {
      const findings = await lintStatements([{ sql: 'DROP TABLE "legacy"', line: 1, allowed: new Set(['PG005']) }], {
        transactional: true,
      });
      expect(findings).toEqual([]);
    });
    it('honours a SQL comment inside the statement', async () => {
      expect(await ruleIds(['-- migrate-check-allow PG005: unused since 2.3\nDROP TABLE "legacy"'])).toEqual([]);
    });
    it('allows only the rules it names', async () => {
      expect(await ruleIds(['/* migrate-check-allow PG004 */ DROP TABLE "legacy"'])).toEqual(['PG005']);
    });
    it('applies to one statement, not to the next', async () => {
      expect(await ruleIds(['DROP TABLE "a" -- migrate-check-allow PG005', 'DROP TABLE "b"'])).toEqual(['PG005']);
    });
    it('also holds for several statements in one call', async () => {
      expect(
        await ruleIds(['-- migrate-check-allow PG001\nCREATE INDEX ON "a" ("x"); CREATE INDEX ON "b" ("y")']),
      ).toEqual([]);
    });
  });

  it('lints every command of a multi-command ALTER TABLE', async () => {
    expect(
      await ruleIds(['ALTER TABLE "users" DROP COLUMN "a", ALTER COLUMN "b" TYPE text, ADD "c" int NOT NULL']),
    ).toEqual(['PG005', 'PG003', 'PG002']);
  });

  it('passes the statements TypeORM generates for a new entity', async () => {
    expect(
      await ruleIds([
        'CREATE TABLE "post" ("id" SERIAL NOT NULL, "title" character varying NOT NULL, "authorId" integer, CONSTRAINT "PK_post" PRIMARY KEY ("id"))',
        'CREATE INDEX "IDX_title" ON "post" ("title") ',
        'ALTER TABLE "post" ADD CONSTRAINT "FK_author" FOREIGN KEY ("authorId") REFERENCES "user"("id") ON DELETE NO ACTION ON UPDATE NO ACTION',
      ]),
    ).toEqual([]);
  });
});

describe('allowedRuleIds', () => {
  it('reads one or several ids, with or without a reason', () => {
    expect([...allowedRuleIds('// migrate-check-allow PG003: backfilled in 2.1')]).toEqual(['PG003']);
    expect([...allowedRuleIds('-- migrate-check-allow PG004, PG005 renamed on purpose')]).toEqual(['PG004', 'PG005']);
  });
  it('ignores ids outside an allow comment', () => {
    expect([...allowedRuleIds('-- see PG003 in the docs')]).toEqual([]);
  });
});
