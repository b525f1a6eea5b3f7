import { RevisionGraph } from '../../core/src/graph';
import { readMigrationMetadata } from '../../core/src/migration-file';
import { planMerge } from './merge';
import { captureError } from '../../testing/src/revision-fixture';
import { userWords } from '../../testing/src/user-words';

function graphOf(shape: ReadonlyArray<readonly [string, readonly string[]]>): RevisionGraph {
  return RevisionGraph.build(() => shape.map(([id, downRevisions]) => ({ id, downRevisions, message: `Step ${id}` })));
}

const forked = graphOf([
  ['aaaa0001', []],
  ['bbbb0002', ['aaaa0001']],
  ['cccc0003', ['aaaa0001']],
]);
const input = { projectName: 'backend', migrationsDir: '/ws/backend/migrations/versions', graph: forked };

describe('planMerge', () => {
  it('writes a merge revision over every head, with empty up and down', () => {
    const file = planMerge(
      { ...input, now: new Date('2026-11-25T10:00:00.000Z') },
      { message: 'Merge users and posts', revisionId: 'ffff0009' },
    );
    expect(file.path).toBe('/ws/backend/migrations/versions/ffff0009_merge_users_and_posts.ts');
    expect(readMigrationMetadata(file.content, file.path)).toMatchObject({
      revision: 'ffff0009',
      downRevisions: ['bbbb0002', 'cccc0003'],
      message: 'Merge users and posts',
    });
    expect(file.content).toContain(' * Revises: bbbb0002, cccc0003');
    expect(file.content).not.toContain('queryRunner.query');
  });

  it('turns the graph back to one head', () => {
    const file = planMerge(input, { message: 'Merge' });
    const metadata = readMigrationMetadata(file.content, file.path);
    const merged = graphOf([
      ['aaaa0001', []],
      ['bbbb0002', ['aaaa0001']],
      ['cccc0003', ['aaaa0001']],
      [metadata.revision, metadata.downRevisions],
    ]);
    expect(merged.heads()).toEqual([file.revision]);
    expect(file.revision).toMatch(/^[0-9a-f]{12}$/);
  });

  it('merges the revisions given, by prefix, out of three heads', () => {
    const threeHeads = graphOf([
      ['aaaa0001', []],
      ['bbbb0002', ['aaaa0001']],
      ['cccc0003', ['aaaa0001']],
      ['dddd0004', ['aaaa0001']],
    ]);
    const file = planMerge({ ...input, graph: threeHeads }, { message: 'Merge', revisions: ['bbbb', 'dddd0004'] });
    expect(readMigrationMetadata(file.content, file.path).downRevisions).toEqual(['bbbb0002', 'dddd0004']);
  });

  it('refuses a single head', () => {
    const linear = graphOf([
      ['aaaa0001', []],
      ['bbbb0002', ['aaaa0001']],
    ]);
    expect(() => planMerge({ ...input, graph: linear }, { message: 'Merge' })).toThrow(
      'Project backend has a single head (bbbb0002); there is nothing to merge.',
    );
  });

  it('refuses revisions on the same branch', () => {
    const error = captureError(() => planMerge(input, { message: 'Merge', revisions: ['aaaa0001', 'bbbb0002'] }));
    expect(userWords(error)).toBe(
      'Revision aaaa0001 is already below bbbb0002; merge only revisions on different branches ' +
        '(nx run backend:migrate-history shows them).',
    );
  });

  it('refuses an unknown revision with the graph’s own words', () => {
    const error = captureError(() => planMerge(input, { message: 'Merge', revisions: ['bbbb0002', 'zzzz'] }));
    expect(error).toMatchObject({ code: 'REVISION_NOT_FOUND', reference: 'zzzz' });
    expect(userWords(error)).toMatch(/^No revision or branch label matches 'zzzz'/);
  });

  it('refuses an empty message and a revision id already in use', () => {
    expect(() => planMerge(input, { message: '  ' })).toThrow(/needs a message/);
    expect(() => planMerge(input, { message: 'Merge', revisionId: 'aaaa0001' })).toThrow(
      'Revision id aaaa0001 is already used; choose another --rev-id or omit it.',
    );
  });
});
