import 'reflect-metadata';
import { Client } from 'pg';
import { Column, DataSource, Entity, ManyToOne, PrimaryGeneratedColumn, type Table } from 'typeorm';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../../../testing/src/databases';
import { connectDataSourceTo, diffSchema, loadWholeSchemas, type SchemaDifference } from '../schema-diff';
import { AnsweringShadow, questionKey, type Answers } from './shadow-answers';

enum Role {
  Admin = 'admin',
  Member = 'member',
}

enum Status {
  Active = 'active',
  Gone = 'gone',
}

/**
 * The entities: what the database holds (created in `beforeAll`), or with a new plain column, a new enum column of a
 * new type (TypeORM asks whether the type exists, answered from the type names read whole), or `name` changed to
 * `text` (a drop and an add, which the comparison tries in a rolled-back transaction: a write). New classes each
 * time, as each `generate` loads the user's anew.
 */
function entities(added: { nickname?: boolean; status?: boolean; nameAsText?: boolean } = {}): Function[] {
  @Entity({ name: 'answers_user' })
  class User {
    @PrimaryGeneratedColumn() id!: number;
    @Column(added.nameAsText ? { type: 'text' } : {}) name!: string;
    @Column({ type: 'enum', enum: Role, enumName: 'answers_role', default: Role.Member }) role!: Role;
  }
  if (added.nickname) Column({ type: 'varchar', nullable: true })(User.prototype, 'nickname');
  if (added.status) Column({ type: 'enum', enum: Status, enumName: 'answers_status', default: Status.Active })(User.prototype, 'status');

  @Entity({ name: 'answers_post' })
  class Post {
    @PrimaryGeneratedColumn() id!: number;
    @Column() title!: string;
    @ManyToOne(() => User) author!: User;
  }
  return [User, Post];
}

/** A uuid column: TypeORM sends `CREATE EXTENSION IF NOT EXISTS "uuid-ossp"` on connecting. */
@Entity({ name: 'answers_device' })
class Device {
  @PrimaryGeneratedColumn('uuid') id!: string;
}

// The integration project's testTimeout is not applied per project by Jest; a fresh PGlite alone can take 5 s.
jest.setTimeout(120_000);

const NOT_TO_START = 'the recorded answers should have sufficed';

function userDataSource(classes: Function[]): DataSource {
  return new DataSource({ type: 'postgres', url: 'postgres://app@db.invalid/app', entities: classes });
}

/**
 * Real databases only. One data source (one client) at a time is connected to the database: PGlite runs one session
 * at a time.
 */
describe.each(DATABASE_KINDS)('recorded answers of a shadow database on %s', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const plain = await connectDataSourceTo(userDataSource(entities()), database.url);
    try {
      const created = await diffSchema(plain);
      expect(created.up.length).toBeGreaterThan(0);
      for (const statement of created.up) await plain.query(statement.sql, statement.parameters as unknown[]);
      expect(await diffSchema(plain)).toEqual({ up: [], down: [] });
    } finally {
      await plain.destroy();
    }
  });
  afterAll(async () => {
    await database?.drop();
  });

  /** Runs `sql` on a connection of its own (no data source connected meanwhile). */
  async function onDatabase<T>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(sql, parameters)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** A shadow answering from `answers`, whose `start` gives the database and counts the starts (or refuses to). */
  function shadowOf(answers: Answers, startable: boolean) {
    const starts = { count: 0 };
    const shadow = new AnsweringShadow({
      answers,
      start: () => {
        starts.count += 1;
        return startable ? Promise.resolve(database.url) : Promise.reject(new Error(NOT_TO_START));
      },
    });
    return { shadow, starts };
  }

  /**
   * `diffSchema` of `entities` (whole schemas read) through `shadow`, and whether it started the database (`started`
   * says so until the shadow is closed, as `generate` reads it).
   */
  async function diffThrough(classes: Function[], shadow: AnsweringShadow): Promise<{ difference: SchemaDifference; started: boolean }> {
    const connected = await connectDataSourceTo(userDataSource(classes), database.url, shadow.driver);
    try {
      const difference = await diffSchema(connected, { wholeSchemas: true });
      return { difference, started: shadow.started };
    } finally {
      await connected.destroy();
      await shadow.close();
    }
  }

  /** `diffSchema` of `entities` straight against the database, through `pg`. */
  async function plainDiff(classes: Function[]): Promise<SchemaDifference> {
    const connected = await connectDataSourceTo(userDataSource(classes), database.url);
    try {
      return await diffSchema(connected);
    } finally {
      await connected.destroy();
    }
  }

  it('records the answers of a comparison, then gives the same comparison from them without a connection', async () => {
    const answers: Answers = new Map();
    const recording = shadowOf(answers, true);
    const recorded = await diffThrough(entities({ nickname: true }), recording.shadow);
    expect(recorded.difference.up.map((statement) => statement.sql)).toEqual([`ALTER TABLE "answers_user" ADD "nickname" character varying`]);
    expect(recording.shadow.learnt).toBe(true);
    expect(recorded.started).toBe(true);
    expect(recording.starts.count).toBe(1);
    expect(recording.shadow.asked).toBeGreaterThan(0);
    expect(answers.size).toBeGreaterThan(0);
    const size = answers.size;

    const answering = shadowOf(answers, false);
    const answered = await diffThrough(entities({ nickname: true }), answering.shadow);
    expect(answered.difference).toEqual(recorded.difference);
    expect(answering.shadow.answered).toBeGreaterThan(0);
    expect(answering.shadow.asked).toBe(0);
    expect(answered.started).toBe(false);
    expect(answering.starts.count).toBe(0);
    expect(answering.shadow.learnt).toBe(false);
    expect(answers.size).toBe(size);

    expect(answered.difference).toEqual(await plainDiff(entities({ nickname: true })));
  });

  it('answers a new enum column of a new type without the database (types are read whole), as without answers', async () => {
    const answers: Answers = new Map();
    await diffThrough(entities({ nickname: true }), shadowOf(answers, true).shadow);

    const answering = shadowOf(answers, false);
    const changed = await diffThrough(entities({ nickname: true, status: true }), answering.shadow);
    expect(answering.starts.count).toBe(0);
    expect(changed.started).toBe(false);
    expect(changed.difference).toEqual(await plainDiff(entities({ nickname: true, status: true })));
    const sql = changed.difference.up.map((statement) => statement.sql).join('\n');
    expect(sql).toContain(`CREATE TYPE "public"."answers_status" AS ENUM('active', 'gone')`);
    expect(sql).toContain(`ALTER TABLE "answers_user" ADD "status" "public"."answers_status"`);
  });

  it('starts the database when the comparison must write (a changed column tried in a rolled-back transaction), and compares as without answers', async () => {
    const answers: Answers = new Map();
    await diffThrough(entities({ nickname: true }), shadowOf(answers, true).shadow);

    const missing = shadowOf(answers, true);
    const changed = await diffThrough(entities({ nickname: true, nameAsText: true }), missing.shadow);
    expect(missing.starts.count).toBe(1);
    expect(changed.started).toBe(true);
    expect(missing.shadow.answered).toBeGreaterThan(0);
    expect(changed.difference).toEqual(await plainDiff(entities({ nickname: true, nameAsText: true })));
    expect(changed.difference.up.map((statement) => statement.sql)).toContain(`ALTER TABLE "answers_user" ADD "name" text NOT NULL`);
  });

  it('a miss inside a transaction: the real connection opens the transaction and savepoints answered so far', async () => {
    const question = `SELECT "relname" FROM "pg_catalog"."pg_class" WHERE "relname" = $1`;
    const answers: Answers = new Map();
    const recording = shadowOf(answers, true);
    const recorder = await connectDataSourceTo(userDataSource(entities()), database.url, recording.shadow.driver);
    try {
      expect(await recorder.query(question, ['answers_user'])).toEqual([{ relname: 'answers_user' }]);
    } finally {
      await recorder.destroy();
      await recording.shadow.close();
    }
    expect(answers.has(questionKey(question, ['answers_user']))).toBe(true);

    const replaying = shadowOf(answers, true);
    const connected = await connectDataSourceTo(userDataSource(entities()), database.url, replaying.shadow.driver);
    try {
      const queryRunner = connected.createQueryRunner();
      try {
        await queryRunner.startTransaction();
        expect(await queryRunner.query(question, ['answers_user'])).toEqual([{ relname: 'answers_user' }]);
        await queryRunner.query('SAVEPOINT answers_before');
        expect(replaying.shadow.started).toBe(false);

        // Not recorded: the real connection takes over, in the transaction and savepoint answered as open.
        await queryRunner.query(`CREATE TABLE "answers_scratch" ("id" integer)`);
        expect(replaying.starts.count).toBe(1);
        expect(await queryRunner.query(`SELECT to_regclass('answers_scratch') IS NOT NULL AS "exists"`)).toEqual([{ exists: true }]);
        // Outside a transaction block, or without the savepoint, PostgreSQL refuses this.
        await queryRunner.query('ROLLBACK TO SAVEPOINT answers_before');
        expect(await queryRunner.query(`SELECT to_regclass('answers_scratch') IS NOT NULL AS "exists"`)).toEqual([{ exists: false }]);
        await queryRunner.query(`CREATE TABLE "answers_scratch" ("id" integer)`);
        await queryRunner.rollbackTransaction();
        expect(queryRunner.isTransactionActive).toBe(false);
      } finally {
        await queryRunner.release();
      }
    } finally {
      await connected.destroy();
      await replaying.shadow.close();
    }
    // Rolled back: the transaction was the real one.
    expect(await onDatabase(`SELECT to_regclass('answers_scratch') IS NOT NULL AS "exists"`)).toEqual([{ exists: false }]);
  });

  it('records nothing after a write, and records CREATE EXTENSION IF NOT EXISTS of an extension that exists', async () => {
    // The test databases can create uuid-ossp (PGlite's loads it as uuid_ossp); it exists before the shadow is asked.
    await onDatabase(`CREATE EXTENSION IF NOT EXISTS "uuid-ossp"`);
    expect(await onDatabase(`SELECT "extname" FROM "pg_extension" WHERE "extname" = 'uuid-ossp'`)).toEqual([{ extname: 'uuid-ossp' }]);
    const createExtension = `CREATE EXTENSION IF NOT EXISTS "uuid-ossp"`;

    const answers: Answers = new Map();
    const recording = shadowOf(answers, true);
    const connected = await connectDataSourceTo(userDataSource([Device]), database.url, recording.shadow.driver);
    try {
      // TypeORM asked it on connecting, for the uuid column.
      expect(answers.has(questionKey(createExtension))).toBe(true);
      expect(await connected.query('SELECT 1 AS "one"')).toEqual([{ one: 1 }]);
      expect(answers.has(questionKey('SELECT 1 AS "one"'))).toBe(true);

      await connected.query(`CREATE TABLE "answers_written" ("id" integer)`);
      const size = answers.size;
      expect(await connected.query('SELECT 2 AS "two"')).toEqual([{ two: 2 }]);
      expect(await connected.query(`SELECT count(*)::int AS "n" FROM "answers_written"`)).toEqual([{ n: 0 }]);
      const other = connected.createQueryRunner();
      try {
        expect(await other.query('SELECT 3 AS "three"')).toEqual([{ three: 3 }]);
      } finally {
        await other.release();
      }
      // Asked again after the write: what it answers is no longer the recorded state's, so it is not answered either.
      const asked = recording.shadow.asked;
      expect(await connected.query('SELECT 1 AS "one"')).toEqual([{ one: 1 }]);
      expect(recording.shadow.asked).toBe(asked + 1);
      expect(answers.size).toBe(size);
      expect(answers.has(questionKey('SELECT 2 AS "two"'))).toBe(false);
      await connected.query(`DROP TABLE "answers_written"`);
      expect(answers.size).toBe(size);
    } finally {
      await connected.destroy();
      await recording.shadow.close();
    }

    // Connecting again is answered, the extension's creation included.
    const answering = shadowOf(answers, false);
    const again = await connectDataSourceTo(userDataSource([Device]), database.url, answering.shadow.driver);
    try {
      expect(await again.query('SELECT 1 AS "one"')).toEqual([{ one: 1 }]);
      expect(answering.shadow.started).toBe(false);
      expect(answering.shadow.answered).toBeGreaterThan(1);
    } finally {
      await again.destroy();
      await answering.shadow.close();
    }
  });

  it('loadWholeSchemas: the tables asked for, as TypeORM loads them, in the order asked', async () => {
    await onDatabase(
      `CREATE TABLE "a" ("id" serial PRIMARY KEY, "name" text NOT NULL UNIQUE);
       CREATE TABLE "b" ("id" serial PRIMARY KEY, "a_id" integer REFERENCES "a" ("id") ON DELETE CASCADE, "label" varchar(20) DEFAULT 'x');
       CREATE INDEX "b_label_idx" ON "b" ("label");
       CREATE TABLE "c" ("id" integer PRIMARY KEY, "b_id" integer REFERENCES "b" ("id"));`,
    );
    const shape = (table: Table) => ({
      name: table.name,
      schema: table.schema,
      columns: table.columns,
      indices: table.indices,
      uniques: table.uniques,
      checks: table.checks,
      foreignKeys: table.foreignKeys,
    });
    const connected = await connectDataSourceTo(userDataSource(entities()), database.url);
    try {
      const plainRunner = connected.createQueryRunner();
      let expected: Table[];
      let expectedMissing: Table[];
      try {
        expected = await plainRunner.getTables(['b', 'a']);
        expectedMissing = await plainRunner.getTables(['c', 'nowhere']);
      } finally {
        await plainRunner.release();
      }
      expect(expected.map((table) => table.name).sort()).toEqual(['a', 'b']);
      expect(expected.find((table) => table.name === 'b')?.foreignKeys.map((key) => key.referencedTableName)).toEqual(['a']);
      expect(expected.find((table) => table.name === 'b')?.indices.map((index) => index.name)).toEqual(['b_label_idx']);

      const patchedRunner = connected.createQueryRunner();
      try {
        const restore = loadWholeSchemas(connected, patchedRunner);
        const tables = await patchedRunner.getTables(['b', 'a']);
        expect(tables.map((table) => table.name)).toEqual(['b', 'a']);
        const byName = new Map(expected.map((table) => [table.name, table]));
        expect(tables.map(shape)).toEqual(['b', 'a'].map((name) => shape(byName.get(name)!)));
        expect((await patchedRunner.getTables(['public.c', 'nowhere'])).map(shape)).toEqual(expectedMissing.map(shape));
        restore();
        expect(Object.prototype.hasOwnProperty.call(patchedRunner, 'loadTables')).toBe(false);
      } finally {
        await patchedRunner.release();
      }
    } finally {
      await connected.destroy();
      await onDatabase(`DROP TABLE "c", "b", "a"`);
    }
  });
});
