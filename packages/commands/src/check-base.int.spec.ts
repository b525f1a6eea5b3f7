import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linearMigrations, writeTestProject, type TestMigration, type TestProject } from '../../testing/src/projects';
import { check, type CheckOptions } from './check';
import { MemoryReporter } from './reporter';

jest.setTimeout(180_000);

/**
 * `migrate-check --base`: the migrations changed since the ref walk the stairway, the others replay forward once
 * (from a saved embedded shadow when they are the same as last time); `--full` walks them all.
 */
describe('migrate-check --base', () => {
  let project: TestProject;
  const [first, second] = linearMigrations(2, 'base');
  // An old migration whose down forgets its index: the stairway catches it only when it walks that migration.
  const sloppy: TestMigration = {
    revision: 'sloppy000003',
    downRevisions: [second.revision],
    message: 'Create notes',
    up: ['CREATE TABLE notes (id int)', 'CREATE INDEX notes_id_idx ON notes (id)'],
    down: ['DROP INDEX notes_id_idx'],
  };
  const added: TestMigration = {
    revision: 'added0000004',
    downRevisions: [sloppy.revision],
    message: 'Create tags',
    up: ['CREATE TABLE tags (id int)'],
    down: ['DROP TABLE tags'],
  };
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
      cwd: project.workspaceRoot,
      stdio: 'pipe',
    });

  beforeAll(() => {
    project = writeTestProject({ migrations: [first, second, sloppy] });
    writeFileSync(join(project.workspaceRoot, '.gitignore'), 'node_modules\n');
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'history');
    git('checkout', '-q', '-b', 'feature');
    project.writeMigration(added);
  });
  afterAll(() => project.remove());

  const stairway = async (options: CheckOptions) =>
    (await check(project.context(), options, new MemoryReporter())).checks.find((line) => line.name === 'stairway')!;

  it('walks only the new migration, replays the others forward, then starts from the saved shadow', async () => {
    const cold = await stairway({ base: 'main' });
    expect(cold).toEqual({
      passed: true,
      name: 'stairway',
      detail:
        '1 migration changed since main upgrade, downgrade and upgrade again, 3 migrations replayed forward; ' +
        'downgrading from added0000004 gives back the schema before it (--full walks them all)',
    });
    const warm = await stairway({ base: 'main' });
    expect(warm.detail).toContain('3 migrations replayed forward (3 of them from the saved shadow)');
    expect(warm.passed).toBe(true);
  });

  it('walks every migration with --full, or without --base, and then finds the old sloppy down', async () => {
    for (const options of [{ base: 'main', full: true }, {}]) {
      const full = await stairway(options);
      expect(full.passed).toBe(false);
      expect(full.detail).toContain('down of sloppy000003 leaves');
    }
  });

  it('walks an old migration again once it is edited on the branch', async () => {
    project.writeMigration({ ...sloppy, message: 'Create notes', up: [...sloppy.up, 'SELECT 1'] });
    try {
      const edited = await stairway({ base: 'main' });
      expect(edited.passed).toBe(false);
      expect(edited.detail).toContain('down of sloppy000003 leaves');
    } finally {
      git('checkout', '-q', '--', '.');
    }
  });

  it('fails the stairway of a new migration whose down is wrong', async () => {
    const broken = project.writeMigration({ ...added, down: ['SELECT 1'] });
    try {
      const result = await stairway({ base: 'main' });
      expect(result.passed).toBe(false);
      expect(result.detail).toContain('down of added0000004 leaves');
    } finally {
      project.writeMigration(added);
      expect(broken).toBe(project.fileOf(added.revision));
    }
  });
});
