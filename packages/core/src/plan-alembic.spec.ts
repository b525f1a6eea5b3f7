/**
 * The graph shapes of Alembic's own suite (tests/test_version_traversal.py, tests/test_revision.py), each move with
 * the migrations Alembic runs and the version rows it leaves after every step. Where Alembic's order among
 * independent branches follows the order its files were read in, ours follows the ids (README, "Differences").
 */
import { RevisionGraph } from './graph';
import { planStamp, planSteps, type Step } from './plan';
import { captureError, graphOf } from '../../testing/src/revision-fixture';
import { userWords } from '../../testing/src/user-words';

/** Steps written compactly: `+a` for up, `-a` for down. */
function moves(steps: readonly Step[]): string[] {
  return steps.map((step) => `${step.direction === 'up' ? '+' : '-'}${step.revision}`);
}

/** The version rows after each step, each as `x,y`. */
function rowsTrail(steps: readonly Step[]): string[] {
  return steps.map((step) => step.headsAfter.join(','));
}

/** Moves and rows after each step, checked together; also that each step starts from the rows the previous left. */
function expectMove(graph: RevisionGraph, rows: string[], target: string, expected: [string, string][]): void {
  const steps = planSteps(graph, rows, target);
  expect(steps.map((step, index) => [moves([step])[0], rowsTrail(steps)[index]])).toEqual(expected);
  steps.forEach((step, index) => {
    expect(step.headsBefore).toEqual(index === 0 ? [...rows].sort() : steps[index - 1]!.headsAfter);
  });
}

describe('Alembic shapes: linear (RevisionPathTest)', () => {
  const graph = graphOf('a; b<a; c<b; d<c; e<d');

  it('upgrades to a revision or base+N', () => {
    expectMove(graph, ['c'], 'e', [['+d', 'd'], ['+e', 'e']]);
    expectMove(graph, [], 'c', [['+a', 'a'], ['+b', 'b'], ['+c', 'c']]);
    expectMove(graph, [], 'base+2', [['+a', 'a'], ['+b', 'b']]);
  });

  it('relative upgrades: +N from the row, REV+N and REV-N from a revision', () => {
    expectMove(graph, ['a'], '+2', [['+b', 'b'], ['+c', 'c']]);
    expectMove(graph, ['b'], '+3', [['+c', 'c'], ['+d', 'd'], ['+e', 'e']]);
    expectMove(graph, ['a'], 'b+2', [['+b', 'b'], ['+c', 'c'], ['+d', 'd']]);
    expectMove(graph, ['a'], 'd-2', [['+b', 'b']]);
  });

  it('downgrades to a revision and to base', () => {
    expectMove(graph, ['e'], 'c', [['-e', 'd'], ['-d', 'c']]);
    expectMove(graph, ['c'], 'base', [['-c', 'b'], ['-b', 'a'], ['-a', '']]);
  });

  it('relative downgrades: -N, REV+N below the row, REV-N, head-N', () => {
    expectMove(graph, ['c'], '-1', [['-c', 'b']]);
    expectMove(graph, ['e'], '-3', [['-e', 'd'], ['-d', 'c'], ['-c', 'b']]);
    expectMove(graph, ['d'], 'a+2', [['-d', 'c']]);
    expectMove(graph, ['d'], 'c-2', [['-d', 'c'], ['-c', 'b'], ['-b', 'a']]);
    expectMove(graph, ['e'], 'head-2', [['-e', 'd'], ['-d', 'c']]);
    expectMove(graph, ['a'], '-1', [['-a', '']]);
  });

  it('a target already applied with nothing above it is nothing to do (Alembic #838, #839)', () => {
    expect(planSteps(graph, ['a'], 'a')).toEqual([]);
    expect(planSteps(graph, ['e'], 'e')).toEqual([]);
    expect(planSteps(graph, [], 'base')).toEqual([]);
  });

  it('walks past either end are refused with how far one can go', () => {
    expect(captureError(() => planSteps(graph, ['b'], '-5'))).toMatchObject({ code: 'RELATIVE_WALK_OUT_OF_RANGE', available: 2 });
    expect(captureError(() => planSteps(graph, ['b'], '+5'))).toMatchObject({ code: 'RELATIVE_WALK_OUT_OF_RANGE', available: 3 });
    expect(captureError(() => planSteps(graph, [], '-1'))).toMatchObject({ code: 'RELATIVE_WALK_OUT_OF_RANGE', available: 0 });
    expect(captureError(() => planSteps(graph, ['e'], 'head+1'))).toMatchObject({ code: 'RELATIVE_WALK_OUT_OF_RANGE', from: 'e' });
    expect(captureError(() => planSteps(graph, [], 'base-1'))).toMatchObject({ code: 'RELATIVE_WALK_OUT_OF_RANGE', from: null });
  });
});

describe('Alembic shapes: forked with labels (BranchedPathTest)', () => {
  const graph = graphOf('a; b<a; c1@c1branch<b; d1<c1; c2@c2branch<b; d2<c2');

  it('upgrades one branch, or one label relative to its head', () => {
    expectMove(graph, ['b'], 'd1', [['+c1', 'c1'], ['+d1', 'd1']]);
    expectMove(graph, ['b'], 'c2branch@head-1', [['+c2', 'c2']]);
    expectMove(graph, ['b'], 'c1branch@heads', [['+c1', 'c1'], ['+d1', 'd1']]);
  });

  it('base+2 lands on the branch point: both branches go', () => {
    expectMove(graph, ['d1', 'd2'], 'base+2', [
      ['-d2', 'c2,d1'],
      ['-c2', 'd1'],
      ['-d1', 'c1'],
      ['-c1', 'b'],
    ]);
  });

  it('LABEL@base+N and LABEL@REV keep to that branch above the branch point', () => {
    expectMove(graph, ['d1', 'd2'], 'c2branch@base+2', [['-d2', 'c2,d1'], ['-c2', 'd1']]);
    expectMove(graph, ['d1', 'd2'], 'c2branch@base+3', [['-d2', 'c2,d1']]);
    expectMove(graph, ['d1', 'd2'], 'c2', [['-d2', 'c2,d1']]);
    expectMove(graph, ['c1', 'd2'], 'c1branch@b', [['-c1', 'd2']]);
    expectMove(graph, ['c1', 'd2'], 'c2branch@b', [['-d2', 'c1,c2'], ['-c2', 'c1']]);
  });

  it('a revision id in place of the label picks its branch: REV@REV2, REV@-1, REV@head', () => {
    expectMove(graph, ['d1', 'd2'], 'c2@b', [['-d2', 'c2,d1'], ['-c2', 'd1']]);
    expectMove(graph, ['d1', 'd2'], 'd1@b', [['-d1', 'c1,d2'], ['-c1', 'd2']]);
    expectMove(graph, ['d1', 'd2'], 'c2@-1', [['-d2', 'c2,d1']]);
    expectMove(graph, ['c2', 'd1'], 'c2@head', [['+d2', 'd1,d2']]);
  });

  it('LABEL@-N and LABEL@head-N walk down from that branch', () => {
    expectMove(graph, ['d1', 'd2'], 'c1branch@-1', [['-d1', 'c1,d2']]);
    expectMove(graph, ['d1', 'd2'], 'c1branch@head-1', [['-d1', 'c1,d2']]);
    expectMove(graph, ['c2', 'd1'], 'd2-1', []);
    expectMove(graph, ['c1', 'd2'], 'd2-1', [['-d2', 'c1,c2']]);
  });

  it('LABEL@+N starts from the branch point when the branch is not applied yet', () => {
    expectMove(graph, ['c1'], 'c2branch@+1', [['+c2', 'c1,c2']]);
    expectMove(graph, ['c1', 'c2'], 'c2branch@+1', [['+d2', 'c1,d2']]);
    expectMove(graph, [], '+1', [['+a', 'a']]);
  });

  it('LABEL@base and REV@base below a shared trunk take the trunk too (Alembic: every base below the label)', () => {
    expectMove(graph, ['d1', 'd2'], 'c2branch@base', [
      ['-d2', 'c2,d1'],
      ['-c2', 'd1'],
      ['-d1', 'c1'],
      ['-c1', 'b'],
      ['-b', 'a'],
      ['-a', ''],
    ]);
    expect(moves(planSteps(graph, ['d1', 'd2'], 'c2@base'))).toHaveLength(6);
  });

  it('ambiguities are refused where Alembic guesses or crashes', () => {
    // Alembic warns and takes the first row of the version table.
    expect(captureError(() => planSteps(graph, ['d1', 'd2'], '-1'))).toMatchObject({
      code: 'AMBIGUOUS_WALK',
      reason: 'applied-heads',
      candidates: ['d1', 'd2'],
    });
    expect(captureError(() => planSteps(graph, ['c1', 'c2'], '+1'))).toMatchObject({ reason: 'applied-heads' });
    expect(captureError(() => planSteps(graph, ['b'], '+1'))).toMatchObject({ reason: 'branch-point', from: 'b' });
  });

  it('targets already in place plan nothing', () => {
    expect(planSteps(graph, ['c2', 'd1'], 'c2')).toEqual([]);
    expect(planSteps(graph, ['c2', 'd1'], 'd1')).toEqual([]);
  });

  it('a revision named with a branch it is not on is refused, naming both', () => {
    const error = captureError(() => planSteps(graph, ['d1'], 'c1branch@d2'));
    expect(error).toMatchObject({ code: 'REVISION_NOT_ON_BRANCH', revision: 'd2', branch: 'c1branch' });
    expect(userWords(error)).toContain('Revision d2 is not on branch c1branch');
  });

  it('an unknown branch is refused with the known labels', () => {
    expect(captureError(() => planSteps(graph, ['d1'], 'nope@head'))).toMatchObject({
      code: 'UNKNOWN_BRANCH_LABEL',
      label: 'nope',
    });
  });
});

describe('Alembic shapes: two labelled trees (LabeledBranchTest of test_revision.py)', () => {
  const graph = graphOf(
    'a@abranch; b<a; somelongername<b; c<somelongername; d; e@ebranch<d; someothername<e; f<someothername',
  );
  const lands = (target: string) => planSteps(graph, [], target).at(-1)?.revision;

  it('resolves LABEL@head, LABEL@REV, LABEL@LABEL, REV@REV and a branch by prefix', () => {
    expect(lands('ebranch@head')).toBe('f');
    expect(lands('abranch@head')).toBe('c');
    expect(lands('abranch@heads')).toBe('c');
    expect(lands('ebranch@d')).toBe('d');
    expect(lands('ebranch@ebranch')).toBe('e');
    expect(lands('abranch')).toBe('a');
    expect(lands('e@d')).toBe('d');
    expect(lands('someoth@d')).toBe('d');
  });

  it('a prefix after BRANCH@ need only be unique on that branch', () => {
    expect(lands('ebranch@some')).toBe('someothername');
    expect(lands('abranch@some')).toBe('somelongername');
    expect(captureError(() => lands('some'))).toMatchObject({ code: 'AMBIGUOUS_REVISION' });
    expect(captureError(() => lands('ebranch@sos'))).toMatchObject({ code: 'REVISION_NOT_FOUND', reference: 'sos' });
  });

  it('refuses a revision off the branch and an unknown branch', () => {
    expect(captureError(() => lands('ebranch@b'))).toMatchObject({ code: 'REVISION_NOT_ON_BRANCH', revision: 'b' });
    expect(captureError(() => lands('abranch@d'))).toMatchObject({ code: 'REVISION_NOT_ON_BRANCH', revision: 'd' });
    expect(captureError(() => lands('x@d'))).toMatchObject({ code: 'UNKNOWN_BRANCH_LABEL', label: 'x' });
  });

  it('LABEL@+N counts from the base of that tree; LABEL@base downgrades only that tree', () => {
    expectMove(graph, [], 'ebranch@+2', [['+d', 'd'], ['+e', 'e']]);
    expectMove(graph, ['c', 'f'], 'ebranch@base', [
      ['-f', 'c,someothername'],
      ['-someothername', 'c,e'],
      ['-e', 'c,d'],
      ['-d', 'c'],
    ]);
  });
});

describe('Alembic shapes: three bases with cross dependencies (MultipleBaseCrossDependencyTestOne)', () => {
  const graph = graphOf(
    'base1@b_1; a1a<base1; a1b<base1; b1a<a1a; b1b<a1b~a3; base2@b_2; a2<base2; b2<a2; c2<b2~a3; d2<c2; ' +
      'base3@b_3; a3<base3; b3<a3',
  );
  const all = graph.topologicalOrder();
  const revisions = (steps: readonly Step[]) => moves(steps).map((move) => move.slice(1)).sort();

  it('upgrading a branch brings in the branch it depends on', () => {
    expect(revisions(planSteps(graph, [], 'b_2@head'))).toEqual(['a2', 'a3', 'b2', 'base2', 'base3', 'c2', 'd2']);
    expect(revisions(planSteps(graph, [], 'b1b'))).toEqual(['a1b', 'a3', 'b1b', 'base1', 'base3']);
    expect(revisions(planSteps(graph, [], 'b_3@head'))).toEqual(['a3', 'b3', 'base3']);
  });

  it('LABEL@base downgrades that tree, and what depends on it, nothing else', () => {
    const heads = graph.heads();
    expect(planSteps(graph, [], 'heads')).toHaveLength(all.length);
    expect(revisions(planSteps(graph, heads, 'b_2@base'))).toEqual(['a2', 'b2', 'base2', 'c2', 'd2']);
    expect(revisions(planSteps(graph, heads, 'b_3@base'))).toEqual(['a3', 'b1b', 'b3', 'base3', 'c2', 'd2']);
    expect(planSteps(graph, heads, 'b_3@base').at(-1)!.headsAfter).toEqual(['a1b', 'b1a', 'b2']);
    expect(revisions(planSteps(graph, heads, 'b1b@base'))).toEqual(['a1a', 'a1b', 'b1a', 'b1b', 'base1']);
  });
});

describe('Alembic shapes: merged (MergedPathTest)', () => {
  const graph = graphOf('a; b<a; c1<b; d1<c1; c2@c2branch<b; d2<c2; e<d1,d2; f<e');

  it('upgrades across the merge point', () => {
    expectMove(graph, ['b'], 'f', [
      ['+c1', 'c1'],
      ['+d1', 'd1'],
      ['+c2', 'c2,d1'],
      ['+d2', 'd1,d2'],
      ['+e', 'e'],
      ['+f', 'f'],
    ]);
  });

  it('downgrades across the merge point, unmerging into both parents', () => {
    expectMove(graph, ['f'], 'b', [
      ['-f', 'e'],
      ['-e', 'd1,d2'],
      ['-d2', 'c2,d1'],
      ['-c2', 'd1'],
      ['-d1', 'c1'],
      ['-c1', 'b'],
    ]);
  });

  it('to one parent of the merge: only the merge and above go', () => {
    expectMove(graph, ['f'], 'd1', [['-f', 'e'], ['-e', 'd1,d2']]);
  });

  it('a label head across the merge is the head above it', () => {
    expectMove(graph, ['c2', 'd1'], 'c2branch@head', [['+d2', 'd1,d2'], ['+e', 'e'], ['+f', 'f']]);
  });
});

describe('Alembic shapes: branch from a merge point (BranchFromMergepointTest)', () => {
  const graph = graphOf('a1; b1<a1; c1<b1; a2; b2<a2; c2<b2; d1<c1,c2; d2<c2');

  it('upgrades only the side the merge needs', () => {
    expectMove(graph, ['b1', 'd2'], 'd1', [['+c1', 'c1,d2'], ['+d1', 'd1,d2']]);
  });

  it('downgrades only the side below the target', () => {
    expectMove(graph, ['d1', 'd2'], 'b1', [['-d1', 'c1,d2'], ['-c1', 'b1,d2']]);
  });
});

describe('Alembic shapes: twin merges (TwinMergeTest, #297)', () => {
  const graph = graphOf('a; b1<a; b2<a; b3<a; c1<b1,b2,b3; c2<b1,b2,b3; d1<c1; d2<c2');

  it('the second merge of the same parents gets a row of its own', () => {
    expectMove(graph, ['a'], 'heads', [
      ['+b1', 'b1'],
      ['+b2', 'b1,b2'],
      ['+b3', 'b1,b2,b3'],
      ['+c1', 'c1'],
      ['+d1', 'd1'],
      ['+c2', 'c2,d1'],
      ['+d2', 'd1,d2'],
    ]);
  });
});

describe('Alembic shapes: several bases (ForestTest)', () => {
  const graph = graphOf('a1; b1<a1; a2; b2<a2');

  it('heads from base upgrades every tree', () => {
    expectMove(graph, [], 'heads', [['+a1', 'a1'], ['+b1', 'b1'], ['+a2', 'a2,b1'], ['+b2', 'b1,b2']]);
  });

  it('a walk down to base: with LABEL@ or from the row, that tree only; REV-N, every tree (Alembic)', () => {
    expectMove(graph, ['b1', 'b2'], 'b1@-2', [['-b1', 'a1,b2'], ['-a1', 'b2']]);
    expectMove(graph, ['b1'], '-2', [['-b1', 'a1'], ['-a1', '']]);
    expectMove(graph, ['b1', 'b2'], 'b1-2', [['-b2', 'a2,b1'], ['-a2', 'b1'], ['-b1', 'a1'], ['-a1', '']]);
  });

  it('stamps every head, or nothing when they are there', () => {
    expect(planStamp(graph, [], ['heads'])).toEqual(['b1', 'b2']);
    expect(planStamp(graph, ['b1', 'b2'], ['heads'])).toEqual(['b1', 'b2']);
  });
});

describe('Alembic shapes: two roots with a dependency (the lib/app case)', () => {
  // lib: c1 -> c2 -> c3, app: a1 -> a2 -> a3, a2 depends on c2.
  const graph = graphOf('c1@lib; c2<c1; c3<c2; a1@app; a2<a1~c2; a3<a2');

  it('upgrading to both heads folds c2 into a2, then c3 gets a row of its own', () => {
    expectMove(graph, [], 'heads', [
      ['+a1', 'a1'],
      ['+c1', 'a1,c1'],
      ['+c2', 'a1,c2'],
      ['+a2', 'a2'],
      ['+a3', 'a3'],
      ['+c3', 'a3,c3'],
    ]);
  });

  it('lib@-1 runs only c3 down: c2 stays applied, so a2 and a3 may stay', () => {
    expectMove(graph, ['a3', 'c3'], 'lib@-1', [['-c3', 'a3']]);
    expectMove(graph, ['a3', 'c3'], 'c2', [['-c3', 'a3']]);
  });

  it('going below c2 takes its dependents down first', () => {
    expectMove(graph, ['a3', 'c3'], 'lib@c1', [
      ['-c3', 'a3'],
      ['-a3', 'a2'],
      ['-a2', 'a1,c2'],
      ['-c2', 'a1,c1'],
    ]);
    expectMove(graph, ['a3', 'c3'], 'lib@base', [
      ['-c3', 'a3'],
      ['-a3', 'a2'],
      ['-a2', 'a1,c2'],
      ['-c2', 'a1,c1'],
      ['-c1', 'a1'],
    ]);
  });

  it('app@-1 and app@base leave lib alone', () => {
    expectMove(graph, ['a3', 'c3'], 'app@-1', [['-a3', 'a2,c3']]);
    expectMove(graph, ['a3', 'c3'], 'app@base', [['-a3', 'a2,c3'], ['-a2', 'a1,c3'], ['-a1', 'c3']]);
    expectMove(graph, ['a3', 'c3'], 'a2@-1', [['-a3', 'a2,c3']]);
  });

  it('LABEL@-N from a branch folded into another row starts at its topmost applied revision', () => {
    expectMove(graph, ['a3'], 'lib@-1', [['-a3', 'a2'], ['-a2', 'a1,c2'], ['-c2', 'a1,c1']]);
  });

  it('upgrading the dependent brings in its dependency', () => {
    expectMove(graph, ['a1'], 'app@+1', [['+c1', 'a1,c1'], ['+c2', 'a1,c2'], ['+a2', 'a2']]);
    expectMove(graph, ['a2'], 'lib@+1', [['+c3', 'a2,c3']]);
  });

  it('stamp records exactly the revisions named, several at once', () => {
    expect(planStamp(graph, [], ['c3', 'a3'])).toEqual(['a3', 'c3']);
    expect(planStamp(graph, ['a3', 'c3'], ['c2'])).toEqual(['c2']);
    expect(planStamp(graph, ['a3', 'c3'], ['lib@base'])).toEqual([]);
    expect(planStamp(graph, ['a2', 'c3'], ['app@head'])).toEqual(['a3', 'c3']);
  });

  it('stamp refuses targets of which one lies below the other', () => {
    const error = captureError(() => planStamp(graph, [], ['c2', 'a3']));
    expect(error).toMatchObject({ code: 'OVERLAPPING_TARGETS', revision: 'a3', overlaps: ['c2'] });
    expect(userWords(error)).toContain('Requested revision a3 overlaps with the other requested revision(s) c2');
  });
});

describe('Alembic shapes: stamps across branches and merges', () => {
  const branched = graphOf('a; b<a; c1@c1branch<b; d1<c1; c2@c2branch<b; d2<c2');
  const merged = graphOf('a; b<a; c1<b; d1<c1; c2@c2branch<b; d2<c2; e<d1,d2; f<e');

  it('down across several branches to the branch point', () => {
    expect(planStamp(branched, ['c2', 'd1'], ['b'])).toEqual(['b']);
  });

  it('to a labelled base or head, leaving the other branch', () => {
    expect(planStamp(branched, ['c2', 'd1'], ['c1branch@base'])).toEqual(['c2']);
    expect(planStamp(branched, ['c2', 'd1'], ['c2branch@head'])).toEqual(['d1', 'd2']);
  });

  it('across a merge point, up or down, and to one parent of an applied merge', () => {
    expect(planStamp(merged, ['e'], ['c2'])).toEqual(['c2']);
    expect(planStamp(merged, ['e'], ['a'])).toEqual(['a']);
    expect(planStamp(merged, ['c2'], ['e'])).toEqual(['e']);
    expect(planStamp(merged, ['c2', 'd1'], ['e'])).toEqual(['e']);
    expect(planStamp(merged, ['b'], ['e'])).toEqual(['e']);
    expect(planStamp(merged, ['c2', 'd1'], ['c2branch@head'])).toEqual(['f']);
    expect(planStamp(merged, ['e'], ['d1'])).toEqual(['d1']);
  });

  it('to base empties the table, to a revision of a new branch adds a row', () => {
    expect(planStamp(branched, ['c2', 'd1'], ['base'])).toEqual([]);
    expect(planStamp(graphOf('a1; b1<a1; a2; b2<a2'), ['b1'], ['a2'])).toEqual(['a2', 'b1']);
  });
});

describe('Alembic shapes: dependsOn (DependsOnBranchTest One to Five, DependsOnOwnDownrev)', () => {
  it('One: downgrading to a dependency leaves the dependent row, which implies it', () => {
    const graph = graphOf('a1@lib1; b1<a1; c1<b1; a2; b2<a2; c2<b2~c1; d1<c1; e1<d1; f1<e1');
    expectMove(graph, ['c2', 'd1'], 'c1', [['-d1', 'c2']]);
    expect(planStamp(graph, ['c2', 'e1'], ['b1'])).toEqual(['b1']);
  });

  it('Two (#kaboom): only the merge above the target goes, and a dependency gets its row back', () => {
    const graph = graphOf(
      'a1; a2; a3; amerge<a1,a2,a3; b1; b2; bmerge<b1,b2; c1; c2; c3; cmerge<c1,c2,c3; d1~a3,b2,c1',
    );
    expectMove(graph, ['amerge', 'bmerge', 'cmerge', 'd1'], 'b2', [['-bmerge', 'amerge,b1,cmerge,d1']]);
    expectMove(graph, ['amerge', 'b1', 'cmerge', 'd1'], 'd1@base', [['-d1', 'amerge,b1,b2,cmerge']]);
    expect(planSteps(graph, ['amerge', 'b1', 'b2', 'cmerge'], 'base')).toHaveLength(10);
    expect(planSteps(graph, ['amerge', 'b1', 'b2', 'cmerge'], 'base').at(-1)!.headsAfter).toEqual([]);
  });

  it('Three (#377): half of a criss-cross goes', () => {
    const graph = graphOf('a1; a2<a1; b1; b2<b1~a2; b3<b2; a3<a2~b1');
    expectMove(graph, ['a3', 'b2'], 'b1', [['-b2', 'a3']]);
  });

  it('a dependency on the own down revision is only a down revision (#843)', () => {
    const graph = graphOf('a1; a2<a1~a1');
    expectMove(graph, [], 'a2', [['+a1', 'a1'], ['+a2', 'a2']]);
    expectMove(graph, ['a2'], 'a1', [['-a2', 'a1']]);
  });

  it('Four (#789): dependencies already implied by an ancestor are not rows', () => {
    const graph = graphOf('a1; a2<a1; a3<a2; b1; b2<b1~a3; b3<b2; b4<b3~a3');
    expectMove(graph, ['b4'], 'b3', [['-b4', 'b3']]);
  });

  it('Five (#1373): a merge of a revision and its dependent', () => {
    const graph = graphOf('a1; b1~a1; bmerge<a1,b1');
    expectMove(graph, ['a1'], 'b1', [['+b1', 'b1']]);
    expectMove(graph, ['b1'], 'bmerge', [['+bmerge', 'bmerge']]);
    expectMove(graph, ['bmerge'], 'a1', [['-bmerge', 'b1']]);
    expectMove(graph, ['bmerge'], 'b1', [['-bmerge', 'b1']]);
  });

  it('a dependency naming a branch label is the revision declaring it (DependsOnBranchLabelTest)', () => {
    const graph = graphOf('a1@lib1; b1<a1; c1@c1lib<b1; a2; b2<a2; c2<b2~c1lib; d1<c1; e1<d1; f1<e1');
    expect(graph.get('c2').dependsOn).toEqual(['c1']);
    expectMove(graph, ['a2'], 'c2', [['+a1', 'a1,a2'], ['+b1', 'a2,b1'], ['+c1', 'a2,c1'], ['+b2', 'b2,c1'], ['+c2', 'c2']]);
  });
});
