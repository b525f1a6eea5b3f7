import { relative } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../testing/src/databases';
import { linearMigrations, writeTestProject, type TestProject } from '../../testing/src/projects';
import { toUserError } from './errors';
import { migrate } from './migrate';
import { MemoryReporter } from './reporter';
import { status } from './status';

async function publicTables(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const rows = await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    return rows.rows.map((row) => row.table_name as string);
  } finally {
    await client.end();
  }
}

/** Two developers branched from the same revision: the graph has two heads. */
function twoHeads(project: TestProject) {
  const [base] = linearMigrations(1, 'fork');
  const left = { ...linearMigrations(2, 'left')[1], downRevisions: [base.revision], message: 'Add invoices' };
  const right = { ...linearMigrations(3, 'right')[2], downRevisions: [base.revision], message: 'Add payments' };
  for (const migration of [base, left, right]) project.writeMigration(migration);
  return { base, left, right };
}

describe.each(DATABASE_KINDS)('several heads on %s', (kind) => {
  let database: TestDatabase;
  let project: TestProject;
  beforeEach(async () => {
    database = await createTestDatabase(kind);
    project = writeTestProject();
  });
  afterEach(async () => {
    project.remove();
    await database.drop();
  });

  it('migrate --to=head refuses before touching the database, naming the heads, their files and the way out', async () => {
    const { left, right } = twoHeads(project);
    const context = project.context({ DATABASE_URL: database.url });
    const error = toUserError(await migrate(context, { to: 'head' }, new MemoryReporter()).catch((e: unknown) => e), context);
    for (const expected of [
      left.revision,
      right.revision,
      'Add invoices',
      'Add payments',
      relative(project.workspaceRoot, project.fileOf(left.revision)),
      relative(project.workspaceRoot, project.fileOf(right.revision)),
      'nx g nx-typeorm-migrations:merge --project=backend',
      'nx g nx-typeorm-migrations:rebase --project=backend',
    ]) {
      expect(error.message).toContain(expected);
    }
    expect(await publicTables(database.url)).toEqual([]);
  });

  it('migrate --to=heads applies both branches, and migrate-status reports the heads with the same report', async () => {
    const { base, left, right } = twoHeads(project);
    const context = project.context({ DATABASE_URL: database.url });
    const result = await migrate(context, { to: 'heads' }, new MemoryReporter());
    expect(result.success).toBe(true);
    expect([...result.headsAfter].sort()).toEqual([left.revision, right.revision].sort());
    expect(result.steps.map((step) => step.revision)[0]).toBe(base.revision);

    const reporter = new MemoryReporter();
    const current = await status(context, {}, reporter);
    expect(current.atHead).toBe(true);
    expect(reporter.warnings.join('\n')).toContain('nx g nx-typeorm-migrations:merge --project=backend');
    expect(reporter.warnings.join('\n')).toContain('Add payments');
  });
});
