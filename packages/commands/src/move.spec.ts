import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueryRunner } from 'typeorm';
import { migrationFileName, renderMigrationFile } from '../../core/src/migration-file';
import type { MigrationFile } from '../../adapters/src/fs/migration-directory';
import type { HeldLock, LockMode } from '../../adapters/src/typeorm/lock';
import { ProgressStore } from '../../adapters/src/typeorm/resume';
import { InMemoryVersionStore } from '../../adapters/src/typeorm/version-store';
import { parseTargets } from '../../core/src/target';
import { graphOf } from '../../testing/src/revision-fixture';
import type { ProjectContext } from './context';
import { moveDatabase, type MigrationSource, type MoveInput, type MoveTarget } from './move';
import type { Reporter } from './reporter';
import { stamp } from './stamp';

/**
 * The move routine against the canonical test double: a target whose versions live in an `InMemoryVersionStore`
 * and whose lock and session only say what was asked of them. What the routine decides (the order of lock, reads and
 * writes, the rules, the rows a stamp leaves) is tested here; what PostgreSQL does with it, in the integration suites.
 */

function sourceOf(shape: string): MigrationSource {
  const graph = graphOf(shape);
  const files: MigrationFile[] = graph.topologicalOrder().map((revision) => ({
    revision,
    downRevisions: [],
    message: `message of ${revision}`,
    branchLabels: [],
    dependsOn: [],
    transactional: true,
    file: `/work/project/migrations/versions/${revision}_x.ts`,
    checksum: `sum-${revision}`,
    text: '',
  }));
  return {
    files,
    byRevision: new Map(files.map((file) => [file.revision, file])),
    graph,
    load: () => {
      throw new Error('nothing runs in these tests');
    },
  };
}

interface RecordedTarget extends MoveTarget {
  readonly events: string[];
  readonly store: InMemoryVersionStore;
}

function inMemoryTarget(heads: readonly string[] = []): RecordedTarget {
  const events: string[] = [];
  const store = new InMemoryVersionStore(heads);
  const session = {
    startTransaction: async () => void events.push('begin'),
    commitTransaction: async () => void events.push('commit'),
    rollbackTransaction: async () => void events.push('rollback'),
    // The progress table does not exist: no step was left partly applied.
    query: async () => [{ exists: false }],
  } as unknown as QueryRunner;
  const readHeads = store.readHeads.bind(store);
  store.readHeads = async () => {
    events.push('read heads');
    return readHeads();
  };
  return {
    events,
    description: 'Database: in memory',
    local: true,
    session,
    store,
    progress: new ProgressStore(session, '"nx_migrations_progress"'),
    acquireLock: async (mode: LockMode, timeoutMs: number): Promise<HeldLock> => {
      events.push(`lock ${mode} ${timeoutMs}`);
      return { kind: 'advisory', lost: () => false, release: async () => void events.push('release') };
    },
    close: async () => void events.push('close'),
  };
}

/** An `up` of `revision` in the log, recorded with `checksum`; `addHeads`, the version rows it adds. */
async function recordUp(target: RecordedTarget, revision: string, checksum: string, addHeads: string[]): Promise<void> {
  await target.store.ensureTables();
  const entry = { revision, direction: 'up' as const, message: '', checksum, startedAt: new Date(0), durationMs: 0, appliedBy: 'x', toolVersion: '0' };
  await target.store.record({ removeHeads: [], addHeads, entries: [entry] });
}

const context: ProjectContext = {
  workspaceRoot: '/work',
  projectRoot: '/work/project',
  projectName: 'project',
  dataSourceFile: '/work/project/data-source.ts',
  migrationsDir: '/work/project/migrations/versions',
  env: {},
};

function silentReporter(lines: string[] = []): Reporter {
  return { info: (line) => lines.push(line), warn: (line) => lines.push(line), step: () => undefined };
}

function inputOf(target: MoveTarget, source: MigrationSource, lines: string[] = []): MoveInput {
  return { context, target, source, lockMode: 'auto', lockTimeoutMs: 5000, reporter: silentReporter(lines) };
}

describe('moveDatabase: stamp', () => {
  it('takes the lock, reads the heads under it, records the stamp in one transaction, and releases the lock', async () => {
    const target = inMemoryTarget();
    const outcome = await moveDatabase(inputOf(target, sourceOf('a; b<a; c<b')), {
      kind: 'stamp',
      targets: parseTargets('b'),
      purge: false,
    });
    expect(outcome).toEqual({ headsBefore: [], headsAfter: ['b'], steps: [], stamped: ['a', 'b'] });
    expect(target.events).toEqual(['lock auto 5000', 'read heads', 'begin', 'commit', 'release']);
    expect(await target.store.readHeads()).toEqual(['b']);
    expect((await target.store.readHistory()).map((entry) => [entry.revision, entry.direction, entry.checksum])).toEqual([
      ['a', 'stamp', 'sum-a'],
      ['b', 'stamp', 'sum-b'],
    ]);
  });

  it('stamps down as well, logging the revisions it marks unapplied without a checksum', async () => {
    const target = inMemoryTarget(['c']);
    const outcome = await moveDatabase(inputOf(target, sourceOf('a; b<a; c<b')), {
      kind: 'stamp',
      targets: parseTargets('a'),
      purge: false,
    });
    expect(outcome.headsAfter).toEqual(['a']);
    expect((await target.store.readHistory()).map((entry) => [entry.revision, entry.checksum])).toEqual([
      ['b', null],
      ['c', null],
    ]);
  });

  it('accepts an edited applied migration (stamping is how an edit is accepted) and logs its new checksum', async () => {
    const target = inMemoryTarget();
    const source = sourceOf('a; b<a');
    await recordUp(target, 'b', 'old', ['b']);
    const outcome = await moveDatabase(inputOf(target, source), { kind: 'stamp', targets: parseTargets('b'), purge: false });
    expect(outcome.stamped).toEqual(['b']);
    expect((await target.store.recordedChecksums()).get('b')).toBe('sum-b');
  });
});

describe('moveDatabase: run', () => {
  it('refuses an applied migration whose file was edited before anything runs, and still releases the lock', async () => {
    const target = inMemoryTarget();
    await recordUp(target, 'a', 'old', ['a']);
    const run = moveDatabase(inputOf(target, sourceOf('a; b<a')), {
      kind: 'run',
      to: 'head',
      timeouts: { lockTimeout: '5s', statementTimeout: '0' },
      lockRetries: 0,
      retryDelayMs: () => 0,
    });
    await expect(run).rejects.toMatchObject({ code: 'APPLIED_MIGRATION_EDITED' });
    expect(target.events).toEqual(['lock auto 5000', 'read heads', 'release']);
  });

  it('says there is nothing to do at the target, under the lock, without asking beforeRun', async () => {
    const target = inMemoryTarget(['b']);
    await recordUp(target, 'b', 'sum-b', []);
    const lines: string[] = [];
    const outcome = await moveDatabase(inputOf(target, sourceOf('a; b<a'), lines), {
      kind: 'run',
      to: 'head',
      beforeRun: () => Promise.reject(new Error('not asked when nothing runs')),
      timeouts: { lockTimeout: '5s', statementTimeout: '0' },
      lockRetries: 0,
      retryDelayMs: () => 0,
    });
    expect(outcome).toEqual({ headsBefore: ['b'], headsAfter: ['b'], steps: [] });
    expect(lines).toEqual(['Nothing to do: the database is already at b.']);
  });

  it('stops with nothing done when beforeRun says no', async () => {
    const target = inMemoryTarget(['b']);
    const outcome = await moveDatabase(inputOf(target, sourceOf('a; b<a')), {
      kind: 'run',
      to: 'base',
      beforeRun: async (steps) => steps.length !== 2,
      timeouts: { lockTimeout: '5s', statementTimeout: '0' },
      lockRetries: 0,
      retryDelayMs: () => 0,
    });
    expect(outcome).toEqual({ headsBefore: ['b'], headsAfter: ['b'], steps: [], declined: true });
    expect(await target.store.readHeads()).toEqual(['b']);
  });
});

describe('a command given its target', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'ntm-move-'));
    for (const [revision, downRevisions] of [['a', []], ['b', ['a']]] as const) {
      writeFileSync(
        join(folder, migrationFileName(revision, `message of ${revision}`)),
        renderMigrationFile({ revision, downRevisions, message: `message of ${revision}`, up: [], down: [], createDate: new Date(0) }),
      );
    }
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('stamp works on the target its context opens, with the lock mode of NX_TYPEORM_MIGRATIONS_LOCK, and closes it', async () => {
    const target = inMemoryTarget();
    const opened: number[] = [];
    const result = await stamp(
      {
        ...context,
        migrationsDir: folder,
        env: { NX_TYPEORM_MIGRATIONS_LOCK: 'lease' },
        openTarget: async (_context, _reporter, timeoutMs) => {
          opened.push(timeoutMs);
          return target;
        },
      },
      { to: 'head', lockTimeoutSeconds: 7 },
      silentReporter(),
    );
    expect(result).toEqual({ success: true, database: 'Database: in memory', headsBefore: [], headsAfter: ['b'], stamped: ['a', 'b'] });
    expect(opened).toEqual([7000]);
    expect(target.events).toEqual(['lock lease 7000', 'read heads', 'begin', 'commit', 'release', 'close']);
  });

  it('a bad lock mode is refused before anything is opened', async () => {
    const opened: number[] = [];
    const run = stamp(
      { ...context, migrationsDir: folder, openTarget: async (_c, _r, timeoutMs) => (opened.push(timeoutMs), inMemoryTarget()) },
      { to: 'head', lock: 'sometimes' },
      silentReporter(),
    );
    await expect(run).rejects.toThrow('--lock=sometimes is not a lock mode; use advisory, lease or auto.');
    expect(opened).toEqual([]);
  });
});
