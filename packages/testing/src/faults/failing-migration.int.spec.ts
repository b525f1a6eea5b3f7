import { basename } from 'node:path';
import { snapshotCatalog } from '../catalog';
import { runCli, stackFrames } from './cli-process';
import {
  chainMigrations,
  createServerDatabase,
  referenceSnapshots,
  versionRows,
  withClient,
  writeFaultProject,
  type MigrationSpec,
} from './fault-project';

/**
 * A migration that fails in the middle of an upgrade (its first statement succeeds, its second does not): the
 * migrations before it stay applied, it leaves no trace (no table, no version, no history row), and the message
 * names its revision and the failing statement. Then, the file fixed, the next run completes.
 */
const CHAIN = chainMigrations(5, 'failing');
const FAILING = CHAIN[2]!;
const FAILING_STATEMENT = 'INSERT INTO no_such_table (id) VALUES (1)';
const BROKEN: MigrationSpec[] = CHAIN.map((m) =>
  m === FAILING ? { ...m, up: [m.up[0]!, FAILING_STATEMENT, ...m.up.slice(1)] } : m,
);

describe('fault: a failing migration in the middle (PostgreSQL server)', () => {
  it('keeps the migrations before it, leaves no trace of itself, names it and its statement, exits non-zero', async () => {
    const project = writeFaultProject(BROKEN);
    const reference = await createServerDatabase();
    const database = await createServerDatabase();
    try {
      const references = await referenceSnapshots(reference.url, CHAIN);
      const result = await runCli(['migrate', `--project-root=${project.root}`, '--to=head'], {
        databaseUrl: database.url,
      });

      expect(result.code).not.toBe(0);
      expect(result.code).not.toBeNull();
      expect(result.output).toContain(FAILING.revision);
      expect(result.output).toContain(FAILING_STATEMENT);
      expect(result.output).toContain(basename(project.fileOf(FAILING.revision)));
      expect(stackFrames(result.output)).toEqual([]);

      expect(await versionRows(database.url)).toEqual([CHAIN[1]!.revision]);
      expect(await snapshotCatalog(database.url)).toEqual(references[2]);
      await withClient(database.url, async (client) => {
        const { rows } = await client.query('SELECT revision, direction FROM nx_migrations_history');
        expect(rows.filter((row) => row.revision === FAILING.revision)).toEqual([]);
        expect(
          rows
            .filter((row) => row.direction === 'up')
            .map((row) => row.revision)
            .sort(),
        ).toEqual([CHAIN[0]!.revision, CHAIN[1]!.revision].sort());
      });

      const fixed = writeFaultProject(CHAIN);
      try {
        const rerun = await runCli(['migrate', `--project-root=${fixed.root}`, '--to=head'], {
          databaseUrl: database.url,
        });
        expect({ code: rerun.code, output: rerun.code === 0 ? '' : rerun.output }).toEqual({ code: 0, output: '' });
        expect(await versionRows(database.url)).toEqual([CHAIN[4]!.revision]);
        expect(await snapshotCatalog(database.url)).toEqual(references[5]);
      } finally {
        fixed.remove();
      }
    } finally {
      project.remove();
      await reference.drop();
      await database.drop();
    }
  }, 120_000);

  it('with --verbose, shows where it failed (a stack trace is only for those who ask)', async () => {
    const project = writeFaultProject(BROKEN);
    const database = await createServerDatabase();
    try {
      const result = await runCli(['migrate', `--project-root=${project.root}`, '--to=head', '--verbose'], {
        databaseUrl: database.url,
      });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(FAILING.revision);
      expect(stackFrames(result.output).length).toBeGreaterThan(0);
    } finally {
      project.remove();
      await database.drop();
    }
  }, 60_000);
});
