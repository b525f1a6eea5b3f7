import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RevisionGraph } from '../../core/src/graph';
import { checksumOf, readMigrationMetadata, renderMigrationFile } from '../../core/src/migration-file';
import type { MigrationFile } from '../../adapters/src/fs/migration-directory';
import { captureError } from '../../testing/src/revision-fixture';
import { userWords } from '../../testing/src/user-words';
import { planRebase, refuseAppliedRevisions } from './rebase';

/** `[revision, downRevisions]` pairs as migration files in memory. */
function project(shape: ReadonlyArray<readonly [string, readonly string[]]>, root: string) {
  const migrations: MigrationFile[] = shape.map(([revision, downRevisions]) => {
    const text = renderMigrationFile({
      revision,
      downRevisions,
      message: `Step ${revision}`,
      createDate: new Date('2026-11-25T10:00:00.000Z'),
      up: [`CREATE TABLE "t_${revision}" ("id" int)`],
      down: [`DROP TABLE "t_${revision}"`],
    });
    const file = join(root, 'migrations/versions', `${revision}_step.ts`);
    return { ...readMigrationMetadata(text, file), file, text, checksum: checksumOf(text) };
  });
  const graph = RevisionGraph.build(() => migrations.map((m) => ({ id: m.revision, downRevisions: m.downRevisions })));
  return { projectName: 'backend', workspaceRoot: root, graph, migrations };
}

describe('planRebase', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'ntm-rebase-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('diamond-to-be: moves a one-revision branch on top of the other head, rewriting only its down revision', () => {
    const input = project(
      [
        ['aaaa0001', []],
        ['bbbb0002', ['aaaa0001']],
        ['cccc0003', ['aaaa0001']],
      ],
      root,
    );
    const plan = planRebase(input, { branch: 'cccc0003' });
    expect(plan).toMatchObject({ onto: 'bbbb0002', branch: 'cccc0003', moved: ['cccc0003'] });
    expect(plan.files).toHaveLength(1);
    const [file] = plan.files;
    const original = input.migrations[2].text;
    expect(readMigrationMetadata(file.content, file.path).downRevisions).toEqual(['bbbb0002']);
    expect(file.content).toContain(' * Revises: bbbb0002');
    expect(file.content.replace(/bbbb0002/g, 'aaaa0001')).toBe(original);
  });

  it('long branch: moves every revision of the branch but rewrites only its first', () => {
    const input = project(
      [
        ['aaaa0001', []],
        ['bbbb0002', ['aaaa0001']],
        ['cccc0003', ['aaaa0001']],
        ['dddd0004', ['cccc0003']],
        ['eeee0005', ['dddd0004']],
      ],
      root,
    );
    const plan = planRebase(input, { onto: 'bbbb0002' });
    expect(plan.branch).toBe('eeee0005');
    expect(plan.moved).toEqual(['cccc0003', 'dddd0004', 'eeee0005']);
    expect(plan.files.map((file) => file.revision)).toEqual(['cccc0003']);
    const rebased = RevisionGraph.build(() =>
      input.migrations.map((m) => {
        const rewritten = plan.files.find((file) => file.revision === m.revision);
        return {
          id: m.revision,
          downRevisions: rewritten ? readMigrationMetadata(rewritten.content, m.file).downRevisions : m.downRevisions,
        };
      }),
    );
    expect(rebased.heads()).toEqual(['eeee0005']);
    expect(rebased.topologicalOrder()).toEqual(['aaaa0001', 'bbbb0002', 'cccc0003', 'dddd0004', 'eeee0005']);
  });

  it('branches several revisions apart: only the revisions missing from the other side move', () => {
    const input = project(
      [
        ['aaaa0001', []],
        ['bbbb0002', ['aaaa0001']],
        ['cccc0003', ['bbbb0002']],
        ['dddd0004', ['bbbb0002']],
        ['eeee0005', ['cccc0003']],
      ],
      root,
    );
    const plan = planRebase(input, { branch: 'dddd0004' });
    expect(plan).toMatchObject({ onto: 'eeee0005', moved: ['dddd0004'] });
    expect(readMigrationMetadata(plan.files[0].content, 'x').downRevisions).toEqual(['eeee0005']);
  });

  it('refuses a single head', () => {
    const input = project([['aaaa0001', []]], root);
    expect(() => planRebase(input, {})).toThrow(
      'Project backend has a single head (aaaa0001); history is already linear.',
    );
  });

  it('refuses to choose between two heads when git cannot tell which branch is newer', () => {
    const input = project(
      [
        ['aaaa0001', []],
        ['bbbb0002', ['aaaa0001']],
        ['cccc0003', ['aaaa0001']],
      ],
      root,
    );
    expect(() => planRebase(input, {})).toThrow(/Cannot tell which of the heads bbbb0002 and cccc0003 .*--branch/);
  });

  it('three heads: asks for --onto and --branch', () => {
    const input = project(
      [
        ['aaaa0001', []],
        ['bbbb0002', ['aaaa0001']],
        ['cccc0003', ['aaaa0001']],
        ['dddd0004', ['aaaa0001']],
      ],
      root,
    );
    expect(() => planRebase(input, { branch: 'dddd' })).toThrow(/has 3 heads .*--onto.*--branch/);
    expect(planRebase(input, { branch: 'dddd', onto: 'cccc' }).files.map((file) => file.revision)).toEqual([
      'dddd0004',
    ]);
  });

  it('refuses a revision that is not a head, naming the heads', () => {
    const input = project(
      [
        ['aaaa0001', []],
        ['bbbb0002', ['aaaa0001']],
        ['cccc0003', ['aaaa0001']],
      ],
      root,
    );
    expect(() => planRebase(input, { onto: 'aaaa0001' })).toThrow(
      '--onto=aaaa0001: revision aaaa0001 is not a head; the heads are bbbb0002, cccc0003.',
    );
  });

  it('multiple bases: refuses to re-parent a base, pointing to merge', () => {
    const input = project(
      [
        ['aaaa0001', []],
        ['bbbb0002', []],
      ],
      root,
    );
    const error = captureError(() => planRebase(input, { branch: 'bbbb0002' }));
    expect(error).toMatchObject({ code: 'REBASE_OF_BASE', revision: 'bbbb0002' });
    expect(userWords(error)).toMatch(/bbbb0002 is a base of its own.*nx g nx-typeorm-migrations:merge --project=backend/);
  });
});

describe('refuseAppliedRevisions', () => {
  const plan = { onto: 'b', branch: 'd', moved: ['c', 'd'], files: [] };
  it('names the applied revision, the database and the ways out', () => {
    const error = captureError(() => refuseAppliedRevisions(plan, new Set(['a', 'c']), 'the embedded database'));
    expect(userWords(error)).toBe(
      'Revision c is applied to the embedded database, so it cannot be re-parented; downgrade it first ' +
        '(nx run backend:migrate --to=c-1) or join the branches with nx g nx-typeorm-migrations:merge --project=backend -m "...".',
    );
  });
  it('passes when none of the moved revisions is applied', () => {
    expect(() => refuseAppliedRevisions(plan, new Set(['a', 'b']), 'db')).not.toThrow();
  });
});
