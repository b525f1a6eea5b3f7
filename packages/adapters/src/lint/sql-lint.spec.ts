import { ALL_LINT_RULES } from './rules';
import { allowedRuleIds, lintStatements, loadSqlParser, type LintedStatement } from './sql-lint';
import { baselineWasmSettled, withBaselineWasm } from '../wasm/baseline';

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
          'CREATE TABLE "users" ("id" BIGSERIAL PRIMARY KEY, "name" text)',
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
    it('accepts DROP VIEW and DROP INDEX CONCURRENTLY (not this rule)', async () => {
      expect(await ruleIds(['DROP INDEX CONCURRENTLY "IDX_name"', 'DROP VIEW "v"'], false)).toEqual([]);
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
    it('accepts SET NOT NULL after a CHECK (col IS NOT NULL) added NOT VALID and validated', async () => {
      expect(
        await ruleIds(
          [
            'ALTER TABLE "users" ADD CONSTRAINT "CHK_nn" CHECK ("email" IS NOT NULL) NOT VALID',
            'ALTER TABLE "users" VALIDATE CONSTRAINT "CHK_nn"',
            'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL',
            'ALTER TABLE "users" DROP CONSTRAINT "CHK_nn"',
          ],
          false,
        ),
      ).toEqual([]);
    });
    it('flags SET NOT NULL when the check was never validated, or checks another column', async () => {
      expect(
        await ruleIds([
          'ALTER TABLE "users" ADD CONSTRAINT "CHK_nn" CHECK ("email" IS NOT NULL) NOT VALID',
          'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL',
        ]),
      ).toEqual(['PG008']);
      expect(
        await ruleIds([
          'ALTER TABLE "users" ADD CONSTRAINT "CHK_nn" CHECK ("name" IS NOT NULL) NOT VALID',
          'ALTER TABLE "users" VALIDATE CONSTRAINT "CHK_nn"',
          'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL',
        ]),
      ).toEqual(['PG008']);
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
    it('accepts SQL built at run time once allowed by a comment above the call', async () => {
      expect(
        await lintStatements([{ sql: undefined, line: 3, allowed: new Set(['PG000']) }], { transactional: true }),
      ).toEqual([]);
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

  it('passes the statements TypeORM generates for a new entity, warning only of its 32-bit key', async () => {
    expect(
      await ruleIds([
        'CREATE TABLE "post" ("id" SERIAL NOT NULL, "title" character varying NOT NULL, "authorId" integer, CONSTRAINT "PK_post" PRIMARY KEY ("id"))',
        'CREATE INDEX "IDX_title" ON "post" ("title") ',
        'ALTER TABLE "post" ADD CONSTRAINT "FK_author" FOREIGN KEY ("authorId") REFERENCES "user"("id") ON DELETE NO ACTION ON UPDATE NO ACTION',
      ]),
    ).toEqual(['PG015']);
  });

  describe('PG010 unique constraint without an index built first', () => {
    it('flags ADD CONSTRAINT ... UNIQUE on an existing table', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ADD CONSTRAINT "UQ_email" UNIQUE ("email")'])).toEqual(['PG010']);
    });
    it('flags a column added with an inline UNIQUE', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ADD "code" text UNIQUE'])).toEqual(['PG010']);
    });
    it('accepts UNIQUE USING INDEX built concurrently before', async () => {
      expect(
        await ruleIds(
          [
            'CREATE UNIQUE INDEX CONCURRENTLY "UQ_email" ON "users" ("email")',
            'ALTER TABLE "users" ADD CONSTRAINT "UQ_email" UNIQUE USING INDEX "UQ_email"',
          ],
          false,
        ),
      ).toEqual([]);
    });
    it('accepts a unique constraint on a table created in the same migration', async () => {
      expect(
        await ruleIds(['CREATE TABLE "t" ("email" text)', 'ALTER TABLE "t" ADD CONSTRAINT "UQ" UNIQUE ("email")']),
      ).toEqual([]);
    });
  });

  describe('PG011 primary key without an index built first', () => {
    it('flags ADD PRIMARY KEY on an existing table', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ADD CONSTRAINT "PK_users" PRIMARY KEY ("id")'])).toEqual(['PG011']);
    });
    it('accepts PRIMARY KEY USING INDEX', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ADD CONSTRAINT "PK_users" PRIMARY KEY USING INDEX "UQ_id"'])).toEqual(
        [],
      );
    });
  });

  describe('PG012 enum value removed or renamed', () => {
    it('flags RENAME VALUE', async () => {
      expect(await ruleIds(["ALTER TYPE \"role\" RENAME VALUE 'admin' TO 'owner'"])).toEqual(['PG012']);
    });
    it('flags the rename of a type that TypeORM makes before recreating an enum', async () => {
      expect(await ruleIds(['ALTER TYPE "public"."users_role_enum" RENAME TO "users_role_enum_old"'])).toEqual([
        'PG012',
      ]);
    });
    it('accepts ADD VALUE', async () => {
      expect(await ruleIds(["ALTER TYPE \"role\" ADD VALUE 'guest'"])).toEqual([]);
    });
  });

  describe('PG013 DROP INDEX without CONCURRENTLY', () => {
    it('flags DROP INDEX of an index the migration did not create', async () => {
      expect(await ruleIds(['DROP INDEX "public"."IDX_name"'])).toEqual(['PG013']);
    });
    it('accepts DROP INDEX CONCURRENTLY outside a transaction', async () => {
      expect(await ruleIds(['DROP INDEX CONCURRENTLY "public"."IDX_name"'], false)).toEqual([]);
    });
    it('accepts dropping an index created earlier in the same migration', async () => {
      expect(
        await ruleIds(['CREATE TABLE "t" ("x" int)', 'CREATE INDEX "IDX_x" ON "t" ("x")', 'DROP INDEX "IDX_x"']),
      ).toEqual([]);
    });
  });

  describe('PG014 timestamp without time zone (warning)', () => {
    it.each([
      'CREATE TABLE "t" ("at" TIMESTAMP NOT NULL)',
      'ALTER TABLE "users" ADD "seen_at" timestamp without time zone',
      'CREATE TABLE "t" ("at" timestamp(3))',
    ])('flags %s', async (sql) => {
      expect(await ruleIds([sql])).toEqual(['PG014']);
    });
    it('accepts timestamptz and TIMESTAMP WITH TIME ZONE', async () => {
      expect(await ruleIds(['CREATE TABLE "t" ("a" timestamptz, "b" TIMESTAMP WITH TIME ZONE)'])).toEqual([]);
    });
  });

  describe('PG015 serial or integer primary key (warning)', () => {
    it.each([
      'CREATE TABLE "t" ("id" SERIAL NOT NULL, CONSTRAINT "PK_t" PRIMARY KEY ("id"))',
      'CREATE TABLE "t" ("id" integer PRIMARY KEY)',
      'CREATE TABLE "t" ("id" int GENERATED ALWAYS AS IDENTITY PRIMARY KEY)',
    ])('flags %s', async (sql) => {
      expect(await ruleIds([sql])).toEqual(['PG015']);
    });
    it('accepts bigint identity, bigserial and uuid keys, and a composite key', async () => {
      expect(
        await ruleIds([
          'CREATE TABLE "a" ("id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)',
          'CREATE TABLE "b" ("id" BIGSERIAL PRIMARY KEY)',
          'CREATE TABLE "c" ("id" uuid PRIMARY KEY DEFAULT gen_random_uuid())',
          'CREATE TABLE "d" ("a" int, "b" int, PRIMARY KEY ("a", "b"))',
        ]),
      ).toEqual([]);
    });
  });

  describe('PG016 VACUUM FULL or CLUSTER', () => {
    it.each(['VACUUM FULL "users"', 'VACUUM (FULL, ANALYZE) "users"', 'CLUSTER "users" USING "IDX_name"'])(
      'flags %s',
      async (sql) => {
        expect(await ruleIds([sql], false)).toEqual(['PG016']);
      },
    );
    it('accepts a plain VACUUM ANALYZE', async () => {
      expect(await ruleIds(['VACUUM ANALYZE "users"'], false)).toEqual([]);
    });
  });

  describe('PG017 TRUNCATE', () => {
    it('flags TRUNCATE of an existing table', async () => {
      expect(await ruleIds(['TRUNCATE "sessions"'])).toEqual(['PG017']);
    });
    it('accepts TRUNCATE of a table created in the same migration', async () => {
      expect(await ruleIds(['CREATE TABLE "staging" ("id" int)', 'TRUNCATE "staging"'])).toEqual([]);
    });
  });

  describe('PG018 LOCK TABLE', () => {
    it('flags an explicit lock', async () => {
      expect(await ruleIds(['LOCK TABLE "users" IN ACCESS EXCLUSIVE MODE'])).toEqual(['PG018']);
    });
    it('accepts SET lock_timeout, the way to bound waiting', async () => {
      expect(await ruleIds(["SET lock_timeout = '5s'"])).toEqual([]);
    });
  });

  describe('PG019 REINDEX without CONCURRENTLY', () => {
    it('flags REINDEX TABLE', async () => {
      expect(await ruleIds(['REINDEX TABLE "users"'], false)).toEqual(['PG019']);
    });
    it('accepts REINDEX CONCURRENTLY outside a transaction', async () => {
      expect(await ruleIds(['REINDEX INDEX CONCURRENTLY "IDX_name"'], false)).toEqual([]);
    });
    it('flags REINDEX CONCURRENTLY inside a transactional migration as PG009', async () => {
      expect(await ruleIds(['REINDEX (CONCURRENTLY) TABLE "users"'], true)).toEqual(['PG009']);
    });
  });

  describe('PG020 CHECK constraint without NOT VALID', () => {
    it('flags ADD CONSTRAINT ... CHECK on an existing table', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ADD CONSTRAINT "CHK_age" CHECK ("age" >= 0)'])).toEqual(['PG020']);
    });
    it('accepts the same constraint NOT VALID, then VALIDATE CONSTRAINT', async () => {
      expect(
        await ruleIds([
          'ALTER TABLE "users" ADD CONSTRAINT "CHK_age" CHECK ("age" >= 0) NOT VALID',
          'ALTER TABLE "users" VALIDATE CONSTRAINT "CHK_age"',
        ]),
      ).toEqual([]);
    });
  });

  describe('PG021 stored generated column', () => {
    it('flags a stored generated column added to an existing table', async () => {
      expect(
        await ruleIds(['ALTER TABLE "users" ADD "full_name" text GENERATED ALWAYS AS ("first" || "last") STORED']),
      ).toEqual(['PG021']);
    });
    it('accepts one in CREATE TABLE', async () => {
      expect(
        await ruleIds(['CREATE TABLE "t" ("a" int, "b" int GENERATED ALWAYS AS ("a" * 2) STORED)']),
      ).toEqual([]);
    });
  });

  describe('PG022 char(n) column (warning)', () => {
    it('flags char(n) and character', async () => {
      expect(await ruleIds(['CREATE TABLE "t" ("a" char(3), "b" character)'])).toEqual(['PG022', 'PG022']);
    });
    it('accepts varchar, text and the one-byte "char"', async () => {
      expect(await ruleIds(['CREATE TABLE "t" ("a" varchar(3), "b" text, "c" "char")'])).toEqual([]);
    });
  });

  describe('PG023 json instead of jsonb (warning)', () => {
    it('flags a json column', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ADD "settings" json'])).toEqual(['PG023']);
    });
    it('accepts jsonb', async () => {
      expect(await ruleIds(['ALTER TABLE "users" ADD "settings" jsonb'])).toEqual([]);
    });
  });

  describe('PG024 UPDATE or DELETE of every row in a transaction (warning)', () => {
    it.each(['UPDATE "users" SET "active" = true', 'DELETE FROM "sessions"'])('flags %s', async (sql) => {
      expect(await ruleIds([sql], true)).toEqual(['PG024']);
    });
    it('accepts a bounded UPDATE, and a backfill outside a transaction', async () => {
      expect(await ruleIds(['UPDATE "users" SET "active" = true WHERE "id" < 1000'], true)).toEqual([]);
      expect(await ruleIds(['UPDATE "users" SET "active" = true'], false)).toEqual([]);
    });
  });

  it('has at least 20 rules, each with an id, severity, reason and safer form, ids unique', () => {
    expect(ALL_LINT_RULES.length).toBeGreaterThanOrEqual(20);
    expect(new Set(ALL_LINT_RULES.map((rule) => rule.id)).size).toBe(ALL_LINT_RULES.length);
    for (const rule of ALL_LINT_RULES) {
      expect(rule.id).toMatch(/^PG\d{3}$/);
      expect(['error', 'warning']).toContain(rule.severity);
      expect(rule.reason.length).toBeGreaterThan(20);
      expect(rule.saferForm.length).toBeGreaterThan(3);
    }
  });

  it.each(ALL_LINT_RULES.filter((rule) => rule.id !== 'PG000').map((rule) => rule.id))(
    '%s is accepted by its allow comment',
    async (id) => {
      const failing = FAILING_EXAMPLES[id];
      expect(await ruleIds([failing.sql], failing.transactional)).toContain(id);
      expect(await ruleIds([`-- migrate-check-allow ${id}: reviewed\n${failing.sql}`], failing.transactional)).not.toContain(id);
    },
  );
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

/** One failing statement per rule, for the allow-comment test. */
const FAILING_EXAMPLES: Record<string, { sql: string; transactional: boolean }> = {
  PG001: { sql: 'CREATE INDEX ON "users" ("name")', transactional: true },
  PG002: { sql: 'ALTER TABLE "users" ADD "age" integer NOT NULL', transactional: true },
  PG003: { sql: 'ALTER TABLE "users" ALTER COLUMN "age" TYPE bigint', transactional: true },
  PG004: { sql: 'ALTER TABLE "users" RENAME COLUMN "a" TO "b"', transactional: true },
  PG005: { sql: 'DROP TABLE "users"', transactional: true },
  PG006: { sql: 'ALTER TABLE "p" ADD CONSTRAINT "FK" FOREIGN KEY ("u") REFERENCES "users"("id")', transactional: true },
  PG007: { sql: 'ALTER TABLE "users" ADD "x" uuid DEFAULT gen_random_uuid()', transactional: true },
  PG008: { sql: 'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL', transactional: true },
  PG009: { sql: 'CREATE INDEX CONCURRENTLY ON "users" ("name")', transactional: true },
  PG010: { sql: 'ALTER TABLE "users" ADD CONSTRAINT "UQ" UNIQUE ("email")', transactional: true },
  PG011: { sql: 'ALTER TABLE "users" ADD PRIMARY KEY ("id")', transactional: true },
  PG012: { sql: "ALTER TYPE \"role\" RENAME VALUE 'a' TO 'b'", transactional: true },
  PG013: { sql: 'DROP INDEX "IDX_name"', transactional: true },
  PG014: { sql: 'CREATE TABLE "t" ("at" timestamp)', transactional: true },
  PG015: { sql: 'CREATE TABLE "t" ("id" serial PRIMARY KEY)', transactional: true },
  PG016: { sql: 'VACUUM FULL "users"', transactional: false },
  PG017: { sql: 'TRUNCATE "users"', transactional: true },
  PG018: { sql: 'LOCK TABLE "users"', transactional: true },
  PG019: { sql: 'REINDEX TABLE "users"', transactional: false },
  PG020: { sql: 'ALTER TABLE "users" ADD CONSTRAINT "CHK" CHECK ("age" > 0)', transactional: true },
  PG021: { sql: 'ALTER TABLE "users" ADD "d" int GENERATED ALWAYS AS ("age" * 2) STORED', transactional: true },
  PG022: { sql: 'CREATE TABLE "t" ("code" char(2))', transactional: true },
  PG023: { sql: 'CREATE TABLE "t" ("data" json)', transactional: true },
  PG024: { sql: 'DELETE FROM "sessions"', transactional: true },
};

describe('withBaselineWasm (the parser compiled by V8 baseline compiler only)', () => {
  it('gives what the load gives, and its failure', async () => {
    await expect(withBaselineWasm(async () => 42)).resolves.toBe(42);
    await expect(withBaselineWasm(async () => Promise.reject(new Error('no parser')))).rejects.toThrow('no parser');
  });

  it('says when the loads under way are done, failed or not', async () => {
    let finish!: () => void;
    const events: string[] = [];
    void withBaselineWasm(() => new Promise<void>((resolve) => (finish = resolve))).then(() => events.push('loaded'));
    void withBaselineWasm(async () => Promise.reject(new Error('no parser'))).catch(() => events.push('failed'));
    const waiting = baselineWasmSettled().then(() => events.push('settled'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['failed']);
    finish();
    await waiting;
    expect(events).toEqual(['failed', 'loaded', 'settled']);
  });

  it('compiles WebAssembly as before once the load is done, and the parser loaded so parses', async () => {
    await withBaselineWasm(async () => undefined);
    // A module compiled afterwards (PGlite, say) compiles and runs: the smallest valid module, instantiated.
    const empty = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    const wasm = (globalThis as unknown as { WebAssembly: { instantiate(bytes: Uint8Array): Promise<unknown> } }).WebAssembly;
    await expect(wasm.instantiate(empty)).resolves.toHaveProperty('instance');
    await loadSqlParser();
    expect(await ruleIds(['ALTER TABLE "users" DROP COLUMN "nickname"'])).toContain('PG005');
  });
});
