import { readFileSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../testing/src/databases';
import { startPasswordServer } from '../../testing/src/faults/password-server';
import { linearMigrations, writeTestProject, type TestMigration, type TestProject } from '../../testing/src/projects';
import { chooseDatabase, loadDataSource, openDatabase } from '../../adapters/src/typeorm/data-source';
import { PostgresVersionStore } from '../../adapters/src/typeorm/version-store';
import { toUserError } from './errors';
import { history } from './history';
import { migrate } from './migrate';
import { MemoryReporter } from './reporter';
import { stamp } from './stamp';
import { status } from './status';

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

const tablesOf = async (url: string) =>
  (
    await query<{ name: string }>(
      url,
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 't\\_%' ORDER BY 1",
    )
  ).map((row) => row.name);

const headsOf = async (url: string) =>
  (await query<{ revision: string }>(url, 'SELECT revision FROM nx_migrations_version ORDER BY 1')).map((row) => row.revision);

/** A labelled linear chain of five: every `--to` form has somewhere to go. */
function labelledChain(): TestMigration[] {
  const chain = linearMigrations(5, 'forms');
  return chain.map((migration, index) => (index === 0 ? { ...migration, branchLabels: ['main'] } : migration));
}

describe.each(DATABASE_KINDS)('migrate on %s', (kind) => {
  let database: TestDatabase;
  let project: TestProject;
  beforeEach(async () => {
    database = await createTestDatabase(kind);
  }, 60_000);
  afterEach(async () => {
    project?.remove();
    await database?.drop();
  }, 60_000);

  it('moves up and down through every form of --to, one line per migration', async () => {
    const chain = labelledChain();
    const r = chain.map((migration) => migration.revision);
    project = writeTestProject({ migrations: chain });
    const context = project.context({ DATABASE_URL: database.url });
    const moves: Array<[string, string[]]> = [
      ['+2', [r[1]]],
      ['-1', [r[0]]],
      [r[3].slice(0, 6), [r[3]]],
      [`${r[3]}-2`, [r[1]]],
      [`${r[1]}+1`, [r[2]]],
      ['main@+1', [r[3]]],
      ['main@-2', [r[1]]],
      ['main@head', [r[4]]],
      ['base', []],
      ['heads', [r[4]]],
      ['main@base', []],
      ['head', [r[4]]],
      [r[2], [r[2]]],
    ];
    for (const [to, heads] of moves) {
      const reporter = new MemoryReporter();
      const result = await migrate(context, { to }, reporter);
      expect({ to, success: result.success, heads: result.headsAfter }).toEqual({ to, success: true, heads });
      expect(await headsOf(database.url)).toEqual(heads);
      expect(await tablesOf(database.url)).toEqual(
        chain.slice(0, heads.length ? r.indexOf(heads[0]) + 1 : 0).map((_, i) => `t_${i + 1}`),
      );
      for (const step of result.steps) {
        expect(reporter.lines).toContain(`  ${step.direction === 'up' ? '↑' : '↓'} ${step.revision}  ${step.message}  (${step.durationMs} ms)`);
      }
    }
    const log = await query<{ revision: string; direction: string; checksum: string; duration_ms: number; applied_by: string }>(
      database.url,
      'SELECT revision, direction, checksum, duration_ms, applied_by FROM nx_migrations_history ORDER BY id',
    );
    expect(log[0]).toMatchObject({ revision: r[0], direction: 'up' });
    expect(log[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(log.filter((entry) => entry.direction === 'down').length).toBeGreaterThan(5);
    expect(log.every((entry) => entry.applied_by.includes('@'))).toBe(true);
  });

  it('keeps the migrations before a failing one, leaves no trace of it, and names revision, file and statement', async () => {
    const chain = linearMigrations(3, 'failing');
    chain[1] = { ...chain[1], up: [...chain[1].up, 'INSERT INTO no_such_table VALUES (1)'] };
    project = writeTestProject({ migrations: chain });
    const result = await migrate(project.context({ DATABASE_URL: database.url }), {}, new MemoryReporter());
    expect(result.success).toBe(false);
    expect(result.error).toContain(chain[1].revision);
    expect(result.error).toContain('migrations/versions/');
    expect(result.error).toContain('INSERT INTO no_such_table VALUES (1)');
    expect(result.error).toContain('rolled back');
    expect(result.steps.map((step) => step.status)).toEqual(['done', 'failed', 'not-run']);
    expect(await tablesOf(database.url)).toEqual(['t_1']);
    expect(await headsOf(database.url)).toEqual([chain[0].revision]);
    const log = await query<{ revision: string }>(database.url, 'SELECT revision FROM nx_migrations_history');
    expect(log.map((entry) => entry.revision)).toEqual([chain[0].revision]);
  });

  it('runs every migration in a transaction of its own, up and down', async () => {
    const chain = linearMigrations(4, 'own-transaction').map((migration, index) => ({
      ...migration,
      up: [...(index === 0 ? ['CREATE TABLE txlog (txid bigint NOT NULL)'] : []), ...migration.up, 'INSERT INTO txlog SELECT txid_current()'],
      down: ['INSERT INTO txlog SELECT txid_current()', ...migration.down],
    }));
    chain[0] = { ...chain[0], down: ['DROP TABLE t_1'] };
    project = writeTestProject({ migrations: chain });
    const context = project.context({ DATABASE_URL: database.url });
    expect((await migrate(context, {}, new MemoryReporter())).success).toBe(true);
    const up = await query<{ txid: string }>(database.url, 'SELECT txid FROM txlog');
    expect(new Set(up.map((row) => row.txid)).size).toBe(4);
    expect((await migrate(context, { to: chain[0].revision }, new MemoryReporter())).success).toBe(true);
    const all = await query<{ txid: string }>(database.url, 'SELECT txid FROM txlog');
    expect(all).toHaveLength(7);
    expect(new Set(all.map((row) => row.txid)).size).toBe(7);
    const log = await query<{ direction: string }>(database.url, 'SELECT direction FROM nx_migrations_history ORDER BY id');
    expect(log.map((entry) => entry.direction)).toEqual(['up', 'up', 'up', 'up', 'down', 'down', 'down']);
  });

  it('keeps the migrations before one that fails at COMMIT (a deferred constraint), and runs none after it', async () => {
    const chain = linearMigrations(4, 'deferred');
    chain[2] = {
      ...chain[2],
      up: [
        ...chain[2].up,
        'ALTER TABLE t_3 ADD COLUMN t_1_id integer REFERENCES t_1 (id) DEFERRABLE INITIALLY DEFERRED',
        "INSERT INTO t_3 (name, t_1_id) VALUES ('orphan', 42)",
      ],
    };
    project = writeTestProject({ migrations: chain });
    const result = await migrate(project.context({ DATABASE_URL: database.url }), {}, new MemoryReporter());
    expect(result.success).toBe(false);
    expect(result.error).toContain(chain[2].revision);
    expect(result.error).toMatch(/foreign key/);
    expect(result.steps.map((step) => step.status)).toEqual(['done', 'done', 'failed', 'not-run']);
    expect(await tablesOf(database.url)).toEqual(['t_1', 't_2']);
    expect(await headsOf(database.url)).toEqual([chain[1].revision]);
    const log = await query<{ revision: string }>(database.url, 'SELECT revision FROM nx_migrations_history ORDER BY id');
    expect(log.map((entry) => entry.revision)).toEqual([chain[0].revision, chain[1].revision]);
  });

  it('applies each migration exactly once when two runs start together, and both succeed', async () => {
    const chain = linearMigrations(6, 'concurrent');
    project = writeTestProject({ migrations: chain });
    const context = project.context({ DATABASE_URL: database.url });
    const [first, second] = await Promise.all([
      migrate(context, { lockTimeoutSeconds: 60 }, new MemoryReporter()),
      migrate(context, { lockTimeoutSeconds: 60 }, new MemoryReporter()),
    ]);
    expect([first.success, second.success]).toEqual([true, true]);
    expect(first.steps.filter((step) => step.status === 'done').length + second.steps.filter((step) => step.status === 'done').length).toBe(6);
    const log = await query<{ revision: string }>(database.url, "SELECT revision FROM nx_migrations_history WHERE direction = 'up'");
    expect(log.map((entry) => entry.revision).sort()).toEqual(chain.map((migration) => migration.revision).sort());
    expect(await headsOf(database.url)).toEqual([chain[5].revision]);
  });

  it('runs a migration that opts out of the transaction (CREATE INDEX CONCURRENTLY)', async () => {
    const chain = linearMigrations(2, 'concurrently');
    chain[1] = {
      ...chain[1],
      transactional: false,
      up: ['CREATE TABLE t_2 (id serial PRIMARY KEY, name text)', 'CREATE INDEX CONCURRENTLY t_2_name_idx ON t_2 (name)'],
      down: ['DROP INDEX CONCURRENTLY t_2_name_idx', 'DROP TABLE t_2'],
    };
    project = writeTestProject({ migrations: chain });
    const context = project.context({ DATABASE_URL: database.url });
    expect((await migrate(context, {}, new MemoryReporter())).success).toBe(true);
    const indexes = await query<{ indexname: string }>(database.url, "SELECT indexname FROM pg_indexes WHERE tablename = 't_2'");
    expect(indexes.map((index) => index.indexname)).toContain('t_2_name_idx');
    expect((await migrate(context, { to: '-1' }, new MemoryReporter())).success).toBe(true);
    expect(await tablesOf(database.url)).toEqual(['t_1']);
  });

  it('tells whether the history log has entries: none before its tables exist, none when empty, then some', async () => {
    project = writeTestProject({ migrations: linearMigrations(1, 'log') });
    const context = project.context({ DATABASE_URL: database.url });
    const dataSource = await loadDataSource(context.dataSourceFile);
    const input = { ...context, dataSource };
    const open = await openDatabase(input, chooseDatabase(input), { timeoutMs: 30_000 });
    try {
      const store = new PostgresVersionStore(open.queryRunner);
      expect(await store.hasHistory()).toBe(false);
      await store.ensureTables();
      expect(await store.hasHistory()).toBe(false);
      await store.record({
        removeHeads: [],
        addHeads: ['aaaa'],
        entries: [
          {
            revision: 'aaaa',
            direction: 'stamp',
            message: 'log',
            checksum: null,
            startedAt: undefined,
            durationMs: 0,
            appliedBy: 'test@host',
            toolVersion: '0.0.0',
          },
        ],
      });
      await store.purgeHeads();
      expect(await store.readHeads()).toEqual([]);
      expect(await store.hasHistory()).toBe(true);
    } finally {
      await open.close();
    }
  });

  it('stamps without running migrations, and purges a version table nothing can plan from', async () => {
    const chain = linearMigrations(3, 'stamp');
    project = writeTestProject({ migrations: chain });
    const context = project.context({ DATABASE_URL: database.url });
    const stamped = await stamp(context, { to: chain[1].revision }, new MemoryReporter());
    expect(stamped.headsAfter).toEqual([chain[1].revision]);
    expect(stamped.stamped).toEqual([chain[0].revision, chain[1].revision]);
    expect(await tablesOf(database.url)).toEqual([]);
    await query(database.url, "INSERT INTO nx_migrations_version VALUES ('gone00000000')");
    const unknown = await status(context, {}, new MemoryReporter()).catch((error: unknown) => error);
    expect(toUserError(unknown).message).toMatch(/gone00000000.*migrate-stamp/);
    const purged = await stamp(context, { to: 'base', purge: true }, new MemoryReporter());
    expect(purged.headsAfter).toEqual([]);
    expect(await headsOf(database.url)).toEqual([]);
    const upgraded = await migrate(context, {}, new MemoryReporter());
    expect(upgraded.steps).toHaveLength(3);
  });

  it('reports an applied migration that was edited, refuses to migrate, and accepts it after a stamp', async () => {
    const chain = linearMigrations(3, 'edited');
    project = writeTestProject({ migrations: chain });
    const context = project.context({ DATABASE_URL: database.url });
    await migrate(context, { to: chain[1].revision }, new MemoryReporter());
    const file = project.fileOf(chain[0].revision);
    writeFileSync(file, readFileSync(file, 'utf8').replace('name text NOT NULL', 'name varchar(80) NOT NULL'));
    const refused = await migrate(context, {}, new MemoryReporter()).catch((error: unknown) => error);
    expect(toUserError(refused).message).toMatch(
      new RegExp(`${chain[0].revision}.*edited after it was applied.*migrate-stamp --to=${chain[1].revision}`),
    );
    expect(toUserError(refused).message).toContain('apps/backend/migrations/versions/');
    const reporter = new MemoryReporter();
    const seen = await status(context, {}, reporter);
    expect(seen.edited.map((entry) => entry.revision)).toEqual([chain[0].revision]);
    expect(reporter.warnings.join('\n')).toContain(seen.edited[0].file);
    await stamp(context, { to: chain[1].revision }, new MemoryReporter());
    const accepted = await migrate(context, {}, new MemoryReporter());
    expect(accepted.success).toBe(true);
    expect(accepted.headsAfter).toEqual([chain[2].revision]);
  });

  it('marks the current revision in history and says which database it read', async () => {
    const chain = linearMigrations(3, 'history');
    project = writeTestProject({ migrations: chain });
    const context = project.context({ DATABASE_URL: database.url });
    await migrate(context, { to: '+2' }, new MemoryReporter());
    const reporter = new MemoryReporter();
    const shown = await history(context, {}, reporter);
    expect(shown.current).toEqual([chain[1].revision]);
    expect(reporter.lines[0]).toMatch(/^Database: postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+ \(DATABASE_URL\)$/);
    expect(shown.output.split('\n')).toEqual([
      `${chain[1].revision} -> ${chain[2].revision} (head), Create t_3`,
      `${chain[0].revision} -> ${chain[1].revision} (current), Create t_2`,
      `<base> -> ${chain[0].revision}, Create t_1`,
    ]);
  });

  it('prints the SQL of a move instead of running it', async () => {
    const chain = linearMigrations(2, 'sql');
    project = writeTestProject({ migrations: chain });
    const context = project.context({ DATABASE_URL: database.url });
    const result = await migrate(context, { sql: true }, new MemoryReporter());
    expect(result.sql).toContain('CREATE TABLE t_1');
    expect(result.sql).toContain(`INSERT INTO "nx_migrations_version" ("revision") VALUES ('${chain[0].revision}')`);
    expect(await tablesOf(database.url)).toEqual([]);
  });

  it('says the database cannot be reached, without a password', async () => {
    const url = new URL(database.url);
    url.port = '1';
    url.username = 'app';
    url.password = 'hunter2-secret';
    project = writeTestProject({ migrations: linearMigrations(1, 'unreachable') });
    const error = await migrate(project.context({ DATABASE_URL: url.toString() }), {}, new MemoryReporter()).catch(
      (caught: unknown) => caught,
    );
    const message = toUserError(error).message;
    expect(message).toBe(
      `Cannot connect to postgres://app:****@127.0.0.1:1${url.pathname} (DATABASE_URL): the connection was refused; ` +
        'start the database server, or correct the host and port.',
    );
  });
});

jest.setTimeout(60_000);

describe('migrate without any database', () => {
  it('prints the SQL from a given revision with --sql --from, touching no database', async () => {
    const chain = linearMigrations(3, 'offline');
    const project = writeTestProject({ migrations: chain });
    try {
      const context = project.context({ DATABASE_URL: 'postgres://nobody:secret@192.0.2.1:5432/none?connect_timeout=1' });
      const result = await migrate(context, { sql: true, from: chain[0].revision, to: 'head' }, new MemoryReporter());
      expect(result.sql).not.toContain('CREATE TABLE t_1 ');
      expect(result.sql).toContain('CREATE TABLE t_2');
      expect(result.sql).toContain(`DELETE FROM "nx_migrations_version" WHERE "revision" IN ('${chain[1].revision}')`);
      expect(result.sql!.match(/^START TRANSACTION;$/gm)).toHaveLength(2);
      expect(result.sql!.match(/^COMMIT;$/gm)).toHaveLength(2);
    } finally {
      project.remove();
    }
  });
});

describe('wrong password (a PostgreSQL cluster that demands one)', () => {
  it('says the password was rejected, and never prints it', async () => {
    const server = await startPasswordServer();
    const project = writeTestProject({ migrations: linearMigrations(1, 'password') });
    try {
      const url = new URL(server.url);
      url.password = 'not-the-right-one';
      const error = await migrate(project.context({ DATABASE_URL: url.toString() }), {}, new MemoryReporter()).catch(
        (caught: unknown) => caught,
      );
      const message = toUserError(error).message;
      expect(message).toMatch(/^Cannot connect to postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:\d+\/postgres \(DATABASE_URL\): the server rejected the password of user postgres/);
      expect(message).not.toContain('not-the-right-one');
    } finally {
      project.remove();
      server.stop();
    }
  });
});
