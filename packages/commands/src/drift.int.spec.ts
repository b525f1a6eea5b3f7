import { Client } from 'pg';
import { runCli } from '../../testing/src/faults/cli-process';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../testing/src/databases';
import { linearMigrations, writeTestProject, type TestProject } from '../../testing/src/projects';
import { drift } from './drift';
import { migrate } from './migrate';
import { MemoryReporter } from './reporter';

async function run(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe.each(DATABASE_KINDS)('drift on %s', (kind) => {
  let database: TestDatabase;
  let project: TestProject;
  beforeEach(async () => {
    database = await createTestDatabase(kind);
  }, 60_000);
  afterEach(async () => {
    project?.remove();
    await database?.drop();
  }, 60_000);

  it('finds none on a database the migrations made, then names a hand-made index, column and dropped index', async () => {
    const chain = linearMigrations(3, 'drift');
    project = writeTestProject({ migrations: chain });
    const context = project.context({ DATABASE_URL: database.url });
    expect((await migrate(context, { to: '+2' }, new MemoryReporter())).success).toBe(true);

    const clean = new MemoryReporter();
    const none = await drift(context, {}, clean);
    expect({ success: none.success, extra: none.extra, missing: none.missing }).toEqual({ success: true, extra: [], missing: [] });
    expect(clean.lines).toContain(`No drift: the schema is the one the migrations up to ${chain[1].revision} create.`);

    await run(database.url, 'CREATE INDEX hotfix_idx ON t_1 (created_at)');
    await run(database.url, 'ALTER TABLE t_2 ADD COLUMN console_note text');
    await run(database.url, 'DROP INDEX t_2_name_idx');
    const reporter = new MemoryReporter();
    const found = await drift(context, {}, reporter);
    expect(found.success).toBe(false);
    expect(found.extra).toEqual([
      'column public.t_2.console_note text',
      'index CREATE INDEX hotfix_idx ON public.t_1 USING btree (created_at)',
    ]);
    expect(found.missing).toEqual(['index CREATE INDEX t_2_name_idx ON public.t_2 USING btree (name)']);
    expect(reporter.lines).toContain('  + column public.t_2.console_note text  (in the database, not in the migrations)');
    expect(found.error).toBe(
      `The database has drifted from revision ${chain[1].revision}: 2 object(s) the migrations do not create, 1 they ` +
        'create that it lacks or has otherwise; write a migration that makes them so (or undo the hand-made change).',
    );
    if (kind === 'postgres') {
      const cli = await runCli(['status', '--drift', `--project-root=${project.projectRoot}`], { databaseUrl: database.url });
      expect(cli.code).toBe(1);
      expect(cli.stdout).toContain('  + index CREATE INDEX hotfix_idx ON public.t_1 USING btree (created_at)  (in the database, not in the migrations)');
      expect(cli.stderr).toContain(`The database has drifted from revision ${chain[1].revision}`);
    }
  });
});
