import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RevisionGraph } from '../../core/src/graph';
import type { MigrationFile } from '../../adapters/src/fs/migration-directory';
import { describeHeads, formatHeadsReport, multipleHeadsReport } from './heads-report';

describe('heads report', () => {
  it('names each head with its message, file and author, then both commands that resolve it', () => {
    const report = formatHeadsReport('backend', [
      {
        revision: '3f2a9c1b7d4e',
        message: 'Add users table',
        file: 'apps/backend/migrations/versions/3f2a9c1b7d4e_add_users_table.ts',
        author: { name: 'Ada Lovelace', email: 'ada@example.com', date: new Date('2026-11-21T09:30:00Z') },
      },
      {
        revision: '9c1b2a7f3e01',
        message: 'Add posts',
        file: 'apps/backend/migrations/versions/9c1b2a7f3e01_add_posts.ts',
      },
    ]);
    expect(report.split('\n')).toEqual([
      'Project backend has 2 head revisions (3f2a9c1b7d4e, 9c1b2a7f3e01): migrations were added on top of the same ' +
        'revision, so their order is undecided; merge or rebase them.',
      '  3f2a9c1b7d4e  Add users table  apps/backend/migrations/versions/3f2a9c1b7d4e_add_users_table.ts  ' +
        '(Ada Lovelace <ada@example.com>, 2026-11-21)',
      '  9c1b2a7f3e01  Add posts        apps/backend/migrations/versions/9c1b2a7f3e01_add_posts.ts  (not committed)',
      'Resolve it with one of:',
      '  nx g nx-typeorm-migrations:merge --project=backend -m "Merge heads"    a merge revision over the heads',
      '  nx g nx-typeorm-migrations:rebase --project=backend                    your branch re-parented on top of the other, history linear',
    ]);
  });

  describe('from a graph', () => {
    let root: string;
    beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'ntm-heads-'))));
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    function input(shape: ReadonlyArray<readonly [string, readonly string[]]>) {
      const graph = RevisionGraph.build(() =>
        shape.map(([id, downRevisions]) => ({ id, downRevisions, message: `Step ${id}` })),
      );
      const migrations = shape.map(([revision]) => ({
        revision,
        file: join(root, 'migrations/versions', `${revision}_step.ts`),
      })) as unknown as MigrationFile[];
      return { projectName: 'backend', workspaceRoot: root, graph, migrations };
    }

    it('is silent for one head', () => {
      expect(multipleHeadsReport(input([['aaaa0001', []]]))).toBeUndefined();
    });

    it('describes each head of a fork relative to the workspace root', () => {
      const forked = input([
        ['aaaa0001', []],
        ['cccc0003', ['aaaa0001']],
        ['bbbb0002', ['aaaa0001']],
      ]);
      expect(describeHeads(forked)).toEqual([
        { revision: 'bbbb0002', message: 'Step bbbb0002', file: 'migrations/versions/bbbb0002_step.ts' },
        { revision: 'cccc0003', message: 'Step cccc0003', file: 'migrations/versions/cccc0003_step.ts' },
      ]);
      expect(multipleHeadsReport(forked)).toContain('Project backend has 2 head revisions (bbbb0002, cccc0003)');
    });
  });
});
