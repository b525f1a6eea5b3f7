import { RevisionGraph } from '../../core/src/graph';
import { parseRange, renderBranches, renderHistory, selectRange, selectShown, type HistoryEntryView } from './history';
import { renderStatus, type StatusResult } from './status';

/** base -> b1 -> (c1, c2) -> merge: a branch point and a merge point. */
const diamond = RevisionGraph.build(() => [
  { id: 'aaaa00000001', downRevisions: [], message: 'Create users', branchLabels: ['main'] },
  { id: 'bbbb00000002', downRevisions: ['aaaa00000001'], message: 'Add email' },
  { id: 'cccc00000003', downRevisions: ['bbbb00000002'], message: 'Add orders' },
  { id: 'dddd00000004', downRevisions: ['bbbb00000002'], message: 'Add invoices' },
  { id: 'eeee00000005', downRevisions: ['cccc00000003', 'dddd00000004'], message: 'Merge' },
]);

function views(ids: readonly string[], current: readonly string[] = []): HistoryEntryView[] {
  return ids.map((id) => {
    const node = diamond.get(id);
    return {
      revision: id,
      downRevisions: node.downRevisions,
      dependsOn: node.dependsOn,
      branchLabels: node.branchLabels,
      message: node.message,
      file: `migrations/versions/${id}.ts`,
      createDate: '2026-11-25T10:00:00.000Z',
      isHead: node.isHead,
      isBase: node.isBase,
      isMergePoint: node.isMergePoint,
      isBranchPoint: node.isBranchPoint,
      current: current.includes(id),
    };
  });
}

const all = selectRange(diamond, undefined, undefined);

describe('selectRange', () => {
  it('lists everything newest first without a range', () => {
    expect(all[0]).toBe('eeee00000005');
    expect(all[all.length - 1]).toBe('aaaa00000001');
    expect(all).toHaveLength(5);
  });

  it('keeps START and END and what lies between', () => {
    expect(selectRange(diamond, parseRange('bbbb:cccc'), undefined)).toEqual(['cccc00000003', 'bbbb00000002']);
    expect(selectRange(diamond, parseRange('cccc:'), undefined)).toEqual(['eeee00000005', 'cccc00000003']);
    expect(selectRange(diamond, parseRange('base:bbbb'), undefined)).toEqual(['bbbb00000002', 'aaaa00000001']);
    expect(selectRange(diamond, parseRange(':current'), ['bbbb00000002'])).toEqual(['bbbb00000002', 'aaaa00000001']);
  });

  it('refuses a range that is not START:END', () => {
    expect(() => parseRange('oops')).toThrow(/--range=oops is not START:END/);
  });

  it('names an unknown revision in a range', () => {
    expect(() => selectRange(diamond, parseRange('ffff:head'), undefined)).toThrow(/ffff/);
  });
});

describe('renderHistory', () => {
  it('text: one line per revision, parents first, head, current, merge and branch points marked', () => {
    expect(renderHistory(views(all, ['cccc00000003']), diamond, 'text', false).split('\n')).toEqual([
      '(cccc00000003, dddd00000004) -> eeee00000005 (head) (mergepoint), Merge',
      'bbbb00000002 -> dddd00000004, Add invoices',
      'bbbb00000002 -> cccc00000003 (current), Add orders',
      'aaaa00000001 -> bbbb00000002 (branchpoint), Add email',
      '<base> -> aaaa00000001 (main), Create users',
    ]);
  });

  it('text --verbose: a block per revision with its file and date', () => {
    const text = renderHistory(views(['aaaa00000001']), diamond, 'text', true);
    expect(text).toBe(
      [
        'Rev: aaaa00000001 (main)',
        'Parent: <base>',
        'Branch labels: main',
        'Path: migrations/versions/aaaa00000001.ts',
        '',
        '    Create users',
        '',
        '    Create Date: 2026-11-25T10:00:00.000Z',
      ].join('\n'),
    );
  });

  it('graph: a column per line of descent', () => {
    expect(renderHistory(views(all), diamond, 'graph', false).split('\n')).toEqual([
      '*  eeee00000005 (head) (mergepoint) Merge',
      '| *  dddd00000004 Add invoices',
      '* |  cccc00000003 Add orders',
      '*  bbbb00000002 (branchpoint) Add email',
      '*  aaaa00000001 (main) Create users',
    ]);
  });

  it('mermaid: nodes, edges from parent to child, the current revision styled', () => {
    const text = renderHistory(views(all, ['eeee00000005']), diamond, 'mermaid', false);
    expect(text.split('\n')).toEqual([
      'flowchart BT',
      '  r_aaaa00000001["aaaa00000001<br/>Create users"]',
      '  r_bbbb00000002["bbbb00000002<br/>Add email"]',
      '  r_cccc00000003["cccc00000003<br/>Add orders"]',
      '  r_dddd00000004["dddd00000004<br/>Add invoices"]',
      '  r_eeee00000005["eeee00000005 (head, current)<br/>Merge"]',
      '  r_aaaa00000001 --> r_bbbb00000002',
      '  r_bbbb00000002 --> r_cccc00000003',
      '  r_bbbb00000002 --> r_dddd00000004',
      '  r_cccc00000003 --> r_eeee00000005',
      '  r_dddd00000004 --> r_eeee00000005',
      '  classDef current stroke-width:3px,stroke:#2b8a3e',
      '  class r_eeee00000005 current',
    ]);
  });

  it('json: the views as data', () => {
    const parsed = JSON.parse(renderHistory(views(all, ['bbbb00000002']), diamond, 'json', false));
    expect(parsed).toHaveLength(5);
    expect(parsed[3]).toMatchObject({ revision: 'bbbb00000002', current: true, isBranchPoint: true });
  });

  it('says so when there are no migrations', () => {
    expect(renderHistory([], diamond, 'text', false)).toBe('No migrations yet.');
  });
});

describe('selectShown (--show)', () => {
  it('takes a revision, a prefix, head, a label or LABEL@head', () => {
    expect(selectShown(diamond, 'bbbb00000002', undefined)).toEqual(['bbbb00000002']);
    expect(selectShown(diamond, 'cccc', undefined)).toEqual(['cccc00000003']);
    expect(selectShown(diamond, 'head', undefined)).toEqual(['eeee00000005']);
    expect(selectShown(diamond, 'main', undefined)).toEqual(['aaaa00000001']);
    expect(selectShown(diamond, 'main@head', undefined)).toEqual(['eeee00000005']);
  });

  it('current is what the database holds, and needs the database', () => {
    expect(selectShown(diamond, 'current', ['cccc00000003', 'dddd00000004'])).toEqual(['cccc00000003', 'dddd00000004']);
    expect(() => selectShown(diamond, 'current', undefined)).toThrow('--show=current needs the database');
  });

  it('refuses base and unknown revisions, naming the option', () => {
    expect(() => selectShown(diamond, 'base', undefined)).toThrow('--show=base names no revision');
    expect(() => selectShown(diamond, 'ffff', undefined)).toThrow("--show=ffff: No revision or branch label matches 'ffff'");
  });
});

describe('renderBranches (--branches)', () => {
  it('prints each branch point, then a line per revision it branches into', () => {
    expect(renderBranches(views(['bbbb00000002']), diamond, false)).toBe(
      ['aaaa00000001 -> bbbb00000002 (branchpoint), Add email', '             -> cccc00000003', '             -> dddd00000004'].join(
        '\n',
      ),
    );
  });

  it('verbose: the branch point in full and the messages of its next revisions', () => {
    const text = renderBranches(views(['bbbb00000002']), diamond, true);
    expect(text).toContain('Rev: bbbb00000002 (branchpoint)');
    expect(text).toContain('             -> dddd00000004, Add invoices');
  });

  it('says so when there are none', () => {
    expect(renderBranches([], diamond, false)).toBe('No branch points.');
  });
});

describe('renderStatus', () => {
  const base: StatusResult = {
    success: true,
    database: 'Database: embedded PostgreSQL in .nx-typeorm-migrations/api',
    current: [{ revision: 'bbbb00000002', message: 'Add email', file: 'apps/api/migrations/versions/b.ts' }],
    heads: ['eeee00000005'],
    atHead: false,
    pending: [{ revision: 'cccc00000003', message: 'Add orders', file: 'apps/api/migrations/versions/c.ts' }],
    edited: [],
    partlyApplied: [],
  };

  it('shows the current revision, whether it is the head, and what is pending', () => {
    expect(renderStatus(base)).toEqual([
      'Current revision: bbbb00000002  Add email',
      'At head: no (head eeee00000005)',
      'Pending (1):',
      '  cccc00000003  Add orders  apps/api/migrations/versions/c.ts',
    ]);
  });

  it('shows an empty database at base, and a database at head', () => {
    expect(renderStatus({ ...base, current: [], pending: [] })[0]).toBe('Current revision: none (base)');
    expect(renderStatus({ ...base, atHead: true, pending: [] })).toEqual([
      'Current revision: bbbb00000002  Add email',
      'At head: yes (eeee00000005)',
    ]);
  });

  it('shows a migration outside a transaction that a run left partly applied', () => {
    const partial = { ...base.pending[0], direction: 'up' as const, statementsDone: 2, lastStatement: 'INSERT INTO t VALUES (2)' };
    expect(renderStatus({ ...base, partlyApplied: [partial] }).at(-1)).toBe(
      'Partly applied (upgrade, transactional = false): cccc00000003  Add orders  apps/api/migrations/versions/c.ts: ' +
        '2 statement(s) completed; migrate resumes after them',
    );
  });
});
