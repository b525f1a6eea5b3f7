import { DATABASE_KINDS, serverAdminUrl, type DatabaseKind } from '../../testing/src/databases';
import { linearMigrations, writeTestProject, type TestMigration, type TestProject } from '../../testing/src/projects';
import { check, type CheckResult } from './check';
import { MemoryReporter } from './reporter';

/** The stairway must catch a `down` that does not undo its `up`: the most common mistake in hand-written migrations. */
const USERS: TestMigration = {
  revision: 'users0000001',
  downRevisions: [],
  message: 'Create users',
  up: ['CREATE TABLE "users" ("id" SERIAL NOT NULL, "name" character varying NOT NULL, CONSTRAINT "PK_users" PRIMARY KEY ("id"))'],
  down: ['DROP TABLE "users"'],
};

async function stairwayOf(kind: DatabaseKind, project: TestProject): Promise<CheckResult['checks'][number]> {
  const options = kind === 'postgres' ? { shadowDatabaseUrl: serverAdminUrl() } : {};
  const result = await check(project.context(), options, new MemoryReporter());
  expect(result.success).toBe(false);
  const stairway = result.checks.find((line) => line.name === 'stairway');
  expect(stairway).toBeDefined();
  return stairway!;
}

describe.each(DATABASE_KINDS)('migrate-check stairway on a %s shadow', (kind) => {
  let project: TestProject | undefined;
  afterEach(() => project?.remove());

  it('fails, naming the revision and what it leaves, when down forgets a table', async () => {
    const [first] = linearMigrations(1, 'stairway');
    const forgetful: TestMigration = {
      revision: 'forgetful001',
      downRevisions: [first.revision],
      message: 'Create notes',
      up: ['CREATE TABLE "notes" ("id" int)', 'CREATE INDEX "IDX_notes_id" ON "notes" ("id")'],
      down: ['DROP INDEX "IDX_notes_id"'],
    };
    project = writeTestProject({ migrations: [first, forgetful] });
    const stairway = await stairwayOf(kind, project);
    expect(stairway.passed).toBe(false);
    expect(stairway.detail).toContain('down of forgetful001');
    expect(stairway.detail).toContain('notes');
    expect(stairway.detail).toContain('make down undo exactly what up does');
  });

  it('fails, naming the revision, when down itself errors', async () => {
    const broken: TestMigration = { ...USERS, down: ['DROP TABLE "no_such_table"'] };
    project = writeTestProject({ migrations: [broken] });
    const stairway = await stairwayOf(kind, project);
    expect(stairway.passed).toBe(false);
    expect(stairway.detail).toContain('down of users0000001 failed');
    expect(stairway.detail).toContain('no_such_table');
  });
});
