import { parseSync } from 'libpg-query';
import { loadSqlParser } from './sql-lint';
import { notNullCheckName, parseEach, safeMigration, type SchemaDifference } from './safe-migration';

/** A TypeORM-shaped difference: `pairs` of [up, down]; `down` is returned in the order to run it (reversed). */
function difference(pairs: readonly (readonly [string, string])[]): SchemaDifference {
  return {
    up: pairs.map(([up]) => ({ sql: up })),
    down: pairs.map(([, down]) => ({ sql: down })).reverse(),
  };
}

const sqlOf = (statements: readonly { sql: string }[]) => statements.map((statement) => statement.sql);

describe('safeMigration', () => {
  it('builds an index on an existing table CONCURRENTLY, alone, outside a transaction', async () => {
    const safe = await safeMigration(
      difference([['CREATE INDEX "IDX_a" ON "users" ("name") ', 'DROP INDEX "public"."IDX_a"']]),
    );
    expect(safe.parts).toEqual([
      {
        transactional: false,
        up: [{ sql: 'CREATE INDEX CONCURRENTLY "IDX_a" ON "users" ("name") ' }],
        down: [{ sql: 'DROP INDEX CONCURRENTLY "public"."IDX_a"' }],
      },
    ]);
    expect(safe.risks).toEqual([]);
  });

  it('splits the rest of the change from the concurrent part, which runs second', async () => {
    const safe = await safeMigration(
      difference([
        ['ALTER TABLE "users" ADD "email" character varying', 'ALTER TABLE "users" DROP COLUMN "email"'],
        ['CREATE UNIQUE INDEX "IDX_email" ON "users" ("email") ', 'DROP INDEX "public"."IDX_email"'],
      ]),
    );
    expect(safe.parts.map((part) => part.transactional)).toEqual([true, false]);
    expect(sqlOf(safe.parts[0].up)).toEqual(['ALTER TABLE "users" ADD "email" character varying']);
    expect(sqlOf(safe.parts[0].down)).toEqual(['ALTER TABLE "users" DROP COLUMN "email"']);
    expect(sqlOf(safe.parts[1].up)).toEqual(['CREATE UNIQUE INDEX CONCURRENTLY "IDX_email" ON "users" ("email") ']);
    expect(sqlOf(safe.parts[1].down)).toEqual(['DROP INDEX CONCURRENTLY "public"."IDX_email"']);
    expect(safe.risks).toEqual([]);
  });

  it('leaves indexes, foreign keys and NOT NULL on tables created by the same change as they are', async () => {
    const pairs: [string, string][] = [
      ['CREATE TABLE "posts" ("id" BIGSERIAL NOT NULL, "author_id" integer, CONSTRAINT "PK_p" PRIMARY KEY ("id"))', 'DROP TABLE "posts"'],
      ['CREATE INDEX "IDX_author" ON "posts" ("author_id") ', 'DROP INDEX "public"."IDX_author"'],
      ['ALTER TABLE "posts" ALTER COLUMN "author_id" SET NOT NULL', 'ALTER TABLE "posts" ALTER COLUMN "author_id" DROP NOT NULL'],
      ['ALTER TABLE "posts" ADD CONSTRAINT "FK_a" FOREIGN KEY ("author_id") REFERENCES "users"("id")', 'ALTER TABLE "posts" DROP CONSTRAINT "FK_a"'],
    ];
    const safe = await safeMigration(difference(pairs));
    expect(safe.parts).toEqual([{ transactional: true, ...difference(pairs) }]);
    expect(safe.risks).toEqual([]);
  });

  it('adds a foreign key to an existing table NOT VALID, validates it in its own transaction afterwards, and down puts the NOT VALID one back', async () => {
    const safe = await safeMigration(
      difference([
        [
          'ALTER TABLE "posts" ADD CONSTRAINT "FK_a" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
          'ALTER TABLE "posts" DROP CONSTRAINT "FK_a"',
        ],
      ]),
    );
    expect(safe.parts).toEqual([
      {
        transactional: true,
        up: [
          {
            sql: 'ALTER TABLE "posts" ADD CONSTRAINT "FK_a" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION NOT VALID',
          },
        ],
        down: [{ sql: 'ALTER TABLE "posts" DROP CONSTRAINT "FK_a"' }],
      },
      {
        transactional: false,
        up: [{ sql: 'ALTER TABLE "posts" VALIDATE CONSTRAINT "FK_a"' }],
        down: [
          { sql: 'ALTER TABLE "posts" DROP CONSTRAINT "FK_a"' },
          {
            sql: 'ALTER TABLE "posts" ADD CONSTRAINT "FK_a" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION NOT VALID',
          },
        ],
      },
    ]);
    expect(safe.risks).toEqual([]);
  });

  it('sets NOT NULL on an existing table through a validated check, dropped afterwards; down drops NOT NULL', async () => {
    const safe = await safeMigration(
      difference([
        ['ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL', 'ALTER TABLE "users" ALTER COLUMN "email" DROP NOT NULL'],
      ]),
    );
    const check = `"${notNullCheckName('users', 'email')}"`;
    expect(safe.parts).toEqual([
      {
        transactional: false,
        up: [
          { sql: `ALTER TABLE "users" ADD CONSTRAINT ${check} CHECK ("email" IS NOT NULL) NOT VALID` },
          { sql: `ALTER TABLE "users" VALIDATE CONSTRAINT ${check}` },
          { sql: 'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL' },
          { sql: `ALTER TABLE "users" DROP CONSTRAINT ${check}` },
        ],
        down: [{ sql: 'ALTER TABLE "users" ALTER COLUMN "email" DROP NOT NULL' }],
      },
    ]);
    expect(safe.risks).toEqual([]);
  });

  it('builds a unique constraint of an existing table from an index built CONCURRENTLY', async () => {
    const safe = await safeMigration(
      difference([
        ['ALTER TABLE "users" ADD CONSTRAINT "UQ_e" UNIQUE ("email", "tenant")', 'ALTER TABLE "users" DROP CONSTRAINT "UQ_e"'],
      ]),
    );
    expect(safe.parts).toEqual([
      {
        transactional: false,
        up: [
          { sql: 'CREATE UNIQUE INDEX CONCURRENTLY "UQ_e" ON "users" ("email", "tenant")' },
          { sql: 'ALTER TABLE "users" ADD CONSTRAINT "UQ_e" UNIQUE USING INDEX "UQ_e"' },
        ],
        down: [{ sql: 'ALTER TABLE "users" DROP CONSTRAINT "UQ_e"' }],
      },
    ]);
  });

  it('keeps a unique constraint with the rest when a foreign key of the same change references its table', async () => {
    const safe = await safeMigration(
      difference([
        ['ALTER TABLE "users" ADD CONSTRAINT "UQ_e" UNIQUE ("email")', 'ALTER TABLE "users" DROP CONSTRAINT "UQ_e"'],
        [
          'ALTER TABLE "posts" ADD CONSTRAINT "FK_e" FOREIGN KEY ("author_email") REFERENCES "users"("email")',
          'ALTER TABLE "posts" DROP CONSTRAINT "FK_e"',
        ],
      ]),
    );
    expect(sqlOf(safe.parts[0].up)[0]).toBe('ALTER TABLE "users" ADD CONSTRAINT "UQ_e" UNIQUE ("email")');
    expect(safe.risks.map((risk) => risk.finding.rule.id)).toEqual(['PG010']);
  });

  it('drops an index of a table that stays CONCURRENTLY, and recreates it CONCURRENTLY on the way down', async () => {
    const safe = await safeMigration(
      difference([['DROP INDEX "public"."IDX_a"', 'CREATE INDEX "IDX_a" ON "users" ("name") ']]),
    );
    expect(safe.parts).toEqual([
      {
        transactional: false,
        up: [{ sql: 'DROP INDEX CONCURRENTLY "public"."IDX_a"' }],
        down: [{ sql: 'CREATE INDEX CONCURRENTLY "IDX_a" ON "users" ("name") ' }],
      },
    ]);
  });

  it('keeps the drop of an index whose column is dropped with the drop, and reports the drop as risky', async () => {
    const pairs: [string, string][] = [
      ['DROP INDEX "public"."IDX_a"', 'CREATE INDEX "IDX_a" ON "users" ("name") '],
      ['ALTER TABLE "users" DROP COLUMN "name"', 'ALTER TABLE "users" ADD "name" character varying'],
    ];
    const safe = await safeMigration(difference(pairs));
    expect(safe.parts).toEqual([{ transactional: true, ...difference(pairs) }]);
    expect(safe.risks.map((risk) => [risk.part, risk.finding.rule.id])).toEqual([
      [0, 'PG013'],
      [0, 'PG005'],
    ]);
  });

  it('reports a type change as risky by nature, with its rule, and leaves it as written', async () => {
    const pairs: [string, string][] = [
      ['ALTER TABLE "users" ALTER COLUMN "age" TYPE bigint', 'ALTER TABLE "users" ALTER COLUMN "age" TYPE integer'],
    ];
    const safe = await safeMigration(difference(pairs));
    expect(safe.parts).toEqual([{ transactional: true, ...difference(pairs) }]);
    expect(safe.risks).toEqual([
      { part: 0, finding: expect.objectContaining({ rule: expect.objectContaining({ id: 'PG003' }) }) },
    ]);
  });

  it('finds the down of a moved statement by what it undoes, whatever else the change holds', async () => {
    const safe = await safeMigration({
      up: [{ sql: 'DROP TABLE "legacy"' }, { sql: 'CREATE INDEX "IDX_a" ON "users" ("name") ' }],
      down: [
        { sql: 'DROP INDEX "public"."IDX_a"' },
        { sql: 'CREATE TABLE "legacy" ("id" integer NOT NULL, CONSTRAINT "PK_l" PRIMARY KEY ("id"))' },
        { sql: 'CREATE INDEX "IDX_legacy" ON "legacy" ("id") ' },
      ],
    });
    expect(safe.parts).toEqual([
      {
        transactional: true,
        up: [{ sql: 'DROP TABLE "legacy"' }],
        down: [
          { sql: 'CREATE TABLE "legacy" ("id" integer NOT NULL, CONSTRAINT "PK_l" PRIMARY KEY ("id"))' },
          { sql: 'CREATE INDEX "IDX_legacy" ON "legacy" ("id") ' },
        ],
      },
      {
        transactional: false,
        up: [{ sql: 'CREATE INDEX CONCURRENTLY "IDX_a" ON "users" ("name") ' }],
        down: [{ sql: 'DROP INDEX CONCURRENTLY "public"."IDX_a"' }],
      },
    ]);
    expect(safe.risks.map((risk) => risk.finding.rule.id)).toEqual(['PG005']);
  });

  it('keeps a change that cannot run in a transaction (enum values added) out of one', async () => {
    const safe = await safeMigration({
      up: [{ sql: "ALTER TYPE \"public\".\"role\" ADD VALUE 'guest'" }, { sql: 'CREATE INDEX "IDX_a" ON "users" ("name") ' }],
      down: [{ sql: 'DROP INDEX "public"."IDX_a"' }],
      transactional: false,
    });
    expect(safe.parts.map((part) => [part.transactional, sqlOf(part.up)])).toEqual([
      [false, ["ALTER TYPE \"public\".\"role\" ADD VALUE 'guest'"]],
      [false, ['CREATE INDEX CONCURRENTLY "IDX_a" ON "users" ("name") ']],
    ]);
  });

  it('moves nothing whose down cannot be found', async () => {
    const up = [{ sql: 'CREATE INDEX "IDX_a" ON "users" ("name") ' }];
    const safe = await safeMigration({ up, down: [] });
    expect(safe.parts).toEqual([{ transactional: true, up, down: [] }]);
    expect(safe.risks.map((risk) => risk.finding.rule.id)).toEqual(['PG001']);
  });
});

describe('safeMigration on new tables only', () => {
  it('leaves the change whole, parses the up statements once, in one call (for the split and the lint), and none of its down', async () => {
    const parser = require('libpg-query') as typeof import('libpg-query');
    const parse = jest.spyOn(parser, 'parseSync');
    try {
      const change = difference([
        ['CREATE TABLE "users" ("id" SERIAL NOT NULL, CONSTRAINT "PK_users" PRIMARY KEY ("id"))', 'DROP TABLE "users"'],
        ['CREATE INDEX "IDX_users" ON "users" ("id") ', 'DROP INDEX "public"."IDX_users"'],
      ]);
      const safe = await safeMigration(change);
      expect(safe.parts).toEqual([{ transactional: true, up: change.up, down: change.down }]);
      const parsed = parse.mock.calls.map(([sql]) => sql);
      expect(parsed).toEqual([change.up.map((statement) => statement.sql).join(';\n')]);
    } finally {
      parse.mockRestore();
    }
  });
});

describe('parseEach (the up statements parsed in one call when they can be told apart)', () => {
  beforeAll(() => loadSqlParser());

  const alone = (sql: string) => {
    try {
      const statements = parseSync(sql).stmts ?? [];
      return statements.length === 1 ? statements[0].stmt : undefined;
    } catch {
      return undefined;
    }
  };

  it('gives each statement the tree it has alone', () => {
    const sqls = [
      'CREATE TABLE "a" ("id" SERIAL NOT NULL, CONSTRAINT "PK_a" PRIMARY KEY ("id"))',
      'CREATE UNIQUE INDEX "IDX_1" ON "a" ("id")',
      'ALTER TABLE "b" ADD CONSTRAINT "FK_1" FOREIGN KEY ("a_id") REFERENCES "a"("id") ON DELETE CASCADE',
    ];
    const strip = (node: unknown) => JSON.parse(JSON.stringify(node, (key, value) => (key === 'location' ? undefined : value)));
    expect(parseEach(sqls).map(strip)).toEqual(sqls.map((sql) => strip(alone(sql))));
  });

  it('falls back to one call each when a statement does not parse, holds a ";" or is not one statement', () => {
    const valid = 'CREATE TABLE "a" ("id" integer)';
    expect(parseEach([valid, 'CREATE TABLE (', valid]).map((node) => node !== undefined)).toEqual([true, false, true]);
    expect(parseEach([valid, `INSERT INTO "a" VALUES (';')`])).toEqual([alone(valid), alone(`INSERT INTO "a" VALUES (';')`)]);
    expect(parseEach([valid, '-- only a comment', valid]).map((node) => node !== undefined)).toEqual([true, false, true]);
  });
});
