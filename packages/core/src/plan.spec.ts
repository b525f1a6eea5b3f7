import {
  AmbiguousWalkError,
  MultipleHeadsError,
  RelativeWalkError,
  UnknownAppliedRevisionError,
  UnknownBranchLabelError,
} from './errors';
import { RevisionGraph } from './graph';
import { appliedHeads, appliedRevisions, planSteps, type Step } from './plan';
import { captureError, graphOf, linearSpecs } from '../../testing/src/revision-fixture';
import { parseTarget } from './target';
import { userWords } from '../../testing/src/user-words';


/** Steps written compactly: `+a` for up, `-a` for down. */
function moves(steps: readonly Step[]): string[] {
  return steps.map((step) => `${step.direction === 'up' ? '+' : '-'}${step.revision}`);
}

/** The heads after each step. */
function headTrail(steps: readonly Step[]): string[] {
  return steps.map((step) => step.headsAfter.join(','));
}

describe('planSteps: linear chain', () => {
  const graph = graphOf('a; b<a; c<b; d<c');

  it('upgrades base -> head one revision at a time, each replacing the previous head', () => {
    const steps = planSteps(graph, [], 'head');
    expect(steps).toEqual([
      { direction: 'up', revision: 'a', headsBefore: [], headsAfter: ['a'] },
      { direction: 'up', revision: 'b', headsBefore: ['a'], headsAfter: ['b'] },
      { direction: 'up', revision: 'c', headsBefore: ['b'], headsAfter: ['c'] },
      { direction: 'up', revision: 'd', headsBefore: ['c'], headsAfter: ['d'] },
    ]);
  });

  it('downgrades head -> base in reverse', () => {
    const steps = planSteps(graph, ['d'], 'base');
    expect(moves(steps)).toEqual(['-d', '-c', '-b', '-a']);
    expect(headTrail(steps)).toEqual(['c', 'b', 'a', '']);
  });

  it('moves to a revision: up when it is not applied, down when it is', () => {
    expect(moves(planSteps(graph, ['a'], 'c'))).toEqual(['+b', '+c']);
    expect(moves(planSteps(graph, ['d'], 'b'))).toEqual(['-d', '-c']);
    expect(planSteps(graph, ['d'], 'b').at(-1)!.headsAfter).toEqual(['b']);
  });

  it('plans nothing when the database is already there', () => {
    expect(planSteps(graph, ['d'], 'head')).toEqual([]);
    expect(planSteps(graph, ['b'], 'b')).toEqual([]);
    expect(planSteps(graph, [], 'base')).toEqual([]);
    expect(planSteps(graph, ['d'], 'heads')).toEqual([]);
  });

  it('+N and -N walk from the applied head', () => {
    expect(moves(planSteps(graph, ['b'], '+1'))).toEqual(['+c']);
    expect(moves(planSteps(graph, ['b'], '+2'))).toEqual(['+c', '+d']);
    expect(moves(planSteps(graph, ['c'], '-1'))).toEqual(['-c']);
    expect(moves(planSteps(graph, ['c'], '-2'))).toEqual(['-c', '-b']);
  });

  it('-N may step below the base, +N from nothing applied starts at the base', () => {
    expect(moves(planSteps(graph, ['b'], '-2'))).toEqual(['-b', '-a']);
    expect(moves(planSteps(graph, [], '+1'))).toEqual(['+a']);
    expect(moves(planSteps(graph, [], '+4'))).toEqual(['+a', '+b', '+c', '+d']);
  });

  it('REV+N and REV-N walk from a revision, whatever is applied', () => {
    expect(moves(planSteps(graph, ['a'], 'b+1'))).toEqual(['+b', '+c']);
    expect(moves(planSteps(graph, ['d'], 'c-1'))).toEqual(['-d', '-c']);
    expect(moves(planSteps(graph, ['d'], 'a-1'))).toEqual(['-d', '-c', '-b', '-a']);
    expect(moves(planSteps(graph, [], 'a+3'))).toEqual(['+a', '+b', '+c', '+d']);
  });

  it('accepts a parsed target as well as text', () => {
    expect(planSteps(graph, ['a'], parseTarget('+2'))).toEqual(planSteps(graph, ['a'], '+2'));
  });

  it('walking up past the head: names the start, the steps asked and the steps available', () => {
    const error = captureError(() => planSteps(graph, ['b'], '+3'));
    expect(error).toBeInstanceOf(RelativeWalkError);
    expect(error).toMatchObject({ code: 'RELATIVE_WALK_OUT_OF_RANGE', target: '+3', from: 'b', steps: 3, available: 2 });
    expect(userWords(error)).toBe(
      "Cannot move 3 up from b for '+3': only 2 revisions are above it; use a smaller step or head.",
    );
    expect(captureError(() => planSteps(graph, ['d'], 'd+1'))).toMatchObject({ from: 'd', steps: 1, available: 0 });
    expect(captureError(() => planSteps(graph, [], '+5'))).toMatchObject({ from: null, steps: 5, available: 4 });
  });

  it('walking down past the base: names the start, the steps asked and the steps available', () => {
    const error = captureError(() => planSteps(graph, ['b'], '-3'));
    expect(error).toMatchObject({ code: 'RELATIVE_WALK_OUT_OF_RANGE', from: 'b', steps: -3, available: 2 });
    expect(userWords(error)).toBe(
      "Cannot move 3 down from b for '-3': only 2 revisions are below it; use a smaller step or base.",
    );
    expect(captureError(() => planSteps(graph, ['d'], 'b-3'))).toMatchObject({ from: 'b', steps: -3, available: 2 });
  });

  it('-N with nothing applied has nowhere to go', () => {
    const error = captureError(() => planSteps(graph, [], '-1'));
    expect(error).toMatchObject({ code: 'RELATIVE_WALK_OUT_OF_RANGE', from: null, steps: -1, available: 0 });
    expect(userWords(error)).toBe(
      "Cannot move 1 down from base for '-1': only 0 revisions are below it; use a smaller step or base.",
    );
  });

  it('refuses an applied head that no migration defines', () => {
    const error = captureError(() => planSteps(graph, ['zz9'], 'head'));
    expect(error).toBeInstanceOf(UnknownAppliedRevisionError);
    expect(error).toMatchObject({ code: 'UNKNOWN_APPLIED_REVISION', revision: 'zz9' });
    expect(userWords(error)).toContain(
      'The database records revision zz9 as applied, but no migration file has that revision id',
    );
  });
});

describe('planSteps: empty graph', () => {
  const graph = graphOf('');

  it('has nothing to do for head, heads or base', () => {
    expect([planSteps(graph, [], 'head'), planSteps(graph, [], 'heads'), planSteps(graph, [], 'base')]).toEqual([
      [],
      [],
      [],
    ]);
  });

  it('cannot walk anywhere', () => {
    expect(captureError(() => planSteps(graph, [], '+1'))).toMatchObject({ code: 'RELATIVE_WALK_OUT_OF_RANGE', available: 0 });
  });
});

describe('planSteps: revision prefixes', () => {
  const graph = graphOf('f00dcafe; beefbeef<f00dcafe; beefd00d<beefbeef');

  it('moves to a unique prefix', () => {
    expect(moves(planSteps(graph, [], 'beefb'))).toEqual(['+f00dcafe', '+beefbeef']);
  });

  it('refuses an ambiguous prefix with its candidates', () => {
    expect(captureError(() => planSteps(graph, [], 'beef'))).toMatchObject({
      code: 'AMBIGUOUS_REVISION',
      candidates: ['beefbeef', 'beefd00d'],
    });
  });

  it('refuses a prefix shorter than 4 characters', () => {
    expect(captureError(() => planSteps(graph, [], 'bee'))).toMatchObject({
      code: 'REVISION_NOT_FOUND',
      reference: 'bee',
    });
  });
});

describe('planSteps: two heads from a branch point', () => {
  const graph = graphOf('p; a1<p; a2<a1; b1<p; b2<b1');

  it('head is ambiguous: the error carries both heads and suggests heads, LABEL@head or a revision', () => {
    const error = captureError(() => planSteps(graph, [], 'head'));
    expect(error).toBeInstanceOf(MultipleHeadsError);
    expect(error).toMatchObject({
      code: 'MULTIPLE_HEADS',
      reference: 'head',
      heads: ['a2', 'b2'],
      labelSuggestions: [],
    });
    expect(userWords(error)).toBe(
      "Multiple head revisions are present for 'head' (a2, b2); specify heads to move every branch, LABEL@head to " +
        'pick a branch, or a revision id.',
    );
  });

  it('heads upgrades both branches, one after the other', () => {
    const steps = planSteps(graph, [], 'heads');
    expect(moves(steps)).toEqual(['+p', '+a1', '+a2', '+b1', '+b2']);
    expect(headTrail(steps)).toEqual(['p', 'a1', 'a2', 'a2,b1', 'a2,b2']);
  });

  it('upgrading one branch leaves the other head in place', () => {
    expect(moves(planSteps(graph, [], 'a2'))).toEqual(['+p', '+a1', '+a2']);
    const steps = planSteps(graph, ['a2'], 'b2');
    expect(moves(steps)).toEqual(['+b1', '+b2']);
    expect(steps.map((step) => step.headsBefore.join(','))).toEqual(['a2', 'a2,b1']);
    expect(headTrail(steps)).toEqual(['a2,b1', 'a2,b2']);
  });

  it('downgrading one branch leaves the other head in place', () => {
    const steps = planSteps(graph, ['a2', 'b2'], 'a1');
    expect(moves(steps)).toEqual(['-a2']);
    expect(headTrail(steps)).toEqual(['a1,b2']);
  });

  it('downgrading to the branch point removes both branches, newest branch first', () => {
    const steps = planSteps(graph, ['a2', 'b2'], 'p');
    expect(moves(steps)).toEqual(['-b2', '-b1', '-a2', '-a1']);
    expect(headTrail(steps)).toEqual(['a2,b1', 'a2', 'a1', 'p']);
  });

  it('+N with two applied heads is ambiguous and names them', () => {
    const error = captureError(() => planSteps(graph, ['a2', 'b2'], '-1'));
    expect(error).toBeInstanceOf(AmbiguousWalkError);
    expect(error).toMatchObject({ code: 'AMBIGUOUS_WALK', reason: 'applied-heads', candidates: ['a2', 'b2'] });
    expect(userWords(error)).toBe(
      "'-1' is ambiguous: the database has several applied heads (a2, b2); use LABEL@-1 or REV-1 with one of them.",
    );
  });

  it('+N from the branch point is ambiguous and names the next revisions', () => {
    const error = captureError(() => planSteps(graph, ['p'], '+1'));
    expect(error).toMatchObject({ reason: 'branch-point', from: 'p', candidates: ['a1', 'b1'] });
    expect(userWords(error)).toContain('revision p is a branch point with several next revisions (a1, b1)');
  });

  it('REV+N chooses the branch', () => {
    expect(moves(planSteps(graph, ['p'], 'b1+1'))).toEqual(['+b1', '+b2']);
  });
});

describe('planSteps: diamond (merge)', () => {
  const graph = graphOf('a; b<a; c<a; d<b,c; e<d');

  it('a merge step replaces both heads by one', () => {
    const steps = planSteps(graph, [], 'head');
    expect(moves(steps)).toEqual(['+a', '+b', '+c', '+d', '+e']);
    expect(steps[3]).toEqual({ direction: 'up', revision: 'd', headsBefore: ['b', 'c'], headsAfter: ['d'] });
  });

  it('downgrading a merge to one parent restores both parents as rows', () => {
    const steps = planSteps(graph, ['d'], 'b');
    expect(steps).toEqual([{ direction: 'down', revision: 'd', headsBefore: ['d'], headsAfter: ['b', 'c'] }]);
  });

  it('-N that steps down from a merge asks which side, as Alembic does ("Ambiguous walk")', () => {
    const error = captureError(() => planSteps(graph, ['e'], '-2'));
    expect(error).toMatchObject({ code: 'AMBIGUOUS_WALK', reason: 'merge-point', from: 'd', candidates: ['b', 'c'] });
    expect(userWords(error)).toContain('revision d is a merge of several revisions (b, c)');
    expect(captureError(() => planSteps(graph, ['d'], '-1'))).toMatchObject({ reason: 'merge-point', from: 'd' });
  });

  it('downgrading to one side of the diamond keeps the other side', () => {
    const steps = planSteps(graph, ['e'], 'b');
    expect(moves(steps)).toEqual(['-e', '-d']);
    expect(headTrail(steps)).toEqual(['d', 'b,c']);
  });

  it('upgrading from one side applies the other side before the merge', () => {
    const steps = planSteps(graph, ['b'], 'd');
    expect(moves(steps)).toEqual(['+c', '+d']);
    expect(headTrail(steps)).toEqual(['b,c', 'd']);
  });
});

describe('planSteps: several bases with labels', () => {
  const graph = graphOf('x@auth; x1<x; x2<x1; y@billing; y1<y; y2<y1');

  it('head is ambiguous and the error suggests each LABEL@head', () => {
    const error = captureError(() => planSteps(graph, [], 'head'));
    expect(error).toMatchObject({ heads: ['x2', 'y2'], labelSuggestions: ['auth@head', 'billing@head'] });
    expect(userWords(error)).toContain('a branch such as auth@head, billing@head');
  });

  it('LABEL@head upgrades that branch only; LABEL alone is the revision declaring it, as in Alembic', () => {
    expect(moves(planSteps(graph, [], 'auth@head'))).toEqual(['+x', '+x1', '+x2']);
    expect(moves(planSteps(graph, [], 'billing'))).toEqual(['+y']);
  });

  it('LABEL@base downgrades that branch only', () => {
    const steps = planSteps(graph, ['x2', 'y1'], 'auth@base');
    expect(moves(steps)).toEqual(['-x2', '-x1', '-x']);
    expect(headTrail(steps)).toEqual(['x1,y1', 'x,y1', 'y1']);
    expect(moves(planSteps(graph, ['x2', 'y1'], 'billing@base'))).toEqual(['-y1', '-y']);
    expect(planSteps(graph, ['x2'], 'billing@base')).toEqual([]);
  });

  it('LABEL@+N and LABEL@-N walk from the applied head of that branch', () => {
    expect(moves(planSteps(graph, ['x2'], 'billing@+1'))).toEqual(['+y']);
    expect(moves(planSteps(graph, ['x2', 'y'], 'billing@+2'))).toEqual(['+y1', '+y2']);
    expect(moves(planSteps(graph, ['x2', 'y1'], 'auth@-1'))).toEqual(['-x2']);
    expect(moves(planSteps(graph, ['x2', 'y1'], 'auth@-3'))).toEqual(['-x2', '-x1', '-x']);
  });

  it('LABEL@+N walking past the branch head or LABEL@-N with nothing applied', () => {
    expect(captureError(() => planSteps(graph, ['x2'], 'auth@+1'))).toMatchObject({
      code: 'RELATIVE_WALK_OUT_OF_RANGE',
      from: 'x2',
      steps: 1,
      available: 0,
    });
    expect(captureError(() => planSteps(graph, ['x2'], 'billing@-1'))).toMatchObject({ from: null, available: 0 });
    const error = captureError(() => planSteps(graph, [], 'billing@+4'));
    expect(error).toMatchObject({ from: null, steps: 4, available: 3 });
    expect(userWords(error)).toBe(
      "Cannot move 4 up from base for 'billing@+4': only 3 revisions are above it; use a smaller step or head.",
    );
  });

  it('+N with nothing applied and several bases is ambiguous', () => {
    const error = captureError(() => planSteps(graph, [], '+1'));
    expect(error).toMatchObject({ reason: 'bases', candidates: ['x', 'y'] });
    expect(userWords(error)).toBe(
      "'+1' is ambiguous: nothing is applied and there are several bases (x, y); use LABEL@+1 or a revision id.",
    );
  });

  it('an unknown label is refused with the known ones', () => {
    const error = captureError(() => planSteps(graph, [], 'payments@head'));
    expect(error).toBeInstanceOf(UnknownBranchLabelError);
    expect(userWords(error)).toBe('No branch label payments exists; the labels are auth, billing.');
  });

  it('base downgrades every branch', () => {
    expect(moves(planSteps(graph, ['x2', 'y2'], 'base'))).toEqual(['-y2', '-y1', '-y', '-x2', '-x1', '-x']);
  });
});

describe('planSteps: depends-on across branches', () => {
  const graph = graphOf('a1; a2<a1; b1; b2<b1~a2');

  it('applies a dependency before its dependent, whose row then stands for both (Alembic folds it)', () => {
    const steps = planSteps(graph, [], 'b2');
    expect(moves(steps)).toEqual(['+a1', '+a2', '+b1', '+b2']);
    expect(headTrail(steps)).toEqual(['a1', 'a2', 'a2,b1', 'b2']);
  });

  it('upgrading the dependent brings in the missing dependency', () => {
    expect(moves(planSteps(graph, ['a1', 'b1'], 'b2'))).toEqual(['+a2', '+b2']);
  });

  it('downgrading a dependency first downgrades its dependents', () => {
    const steps = planSteps(graph, ['b2'], 'a1');
    expect(moves(steps)).toEqual(['-b2', '-a2']);
    expect(headTrail(steps)).toEqual(['a2,b1', 'a1,b1']);
  });

  it('downgrading the dependent leaves the dependency applied, with a row of its own again', () => {
    const steps = planSteps(graph, ['b2'], 'b1');
    expect(moves(steps)).toEqual(['-b2']);
    expect(headTrail(steps)).toEqual(['a2,b1']);
  });
});

describe('appliedRevisions', () => {
  const graph = graphOf('a1; a2<a1; b1; b2<b1~a2; m<a2,b2');

  it('is every ancestor of the heads, dependencies included, base first', () => {
    expect(appliedRevisions(graph, ['b2'])).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(appliedRevisions(graph, ['a1', 'a2'])).toEqual(['a1', 'a2']);
    expect(appliedRevisions(graph, [])).toEqual([]);
  });

  it('refuses a head that no migration defines', () => {
    expect(captureError(() => appliedRevisions(graph, ['nope']))).toBeInstanceOf(UnknownAppliedRevisionError);
  });

  it('appliedHeads is its inverse, a dependency folded into its dependent', () => {
    expect(appliedHeads(graph, new Set(['a1', 'a2', 'b1', 'b2']))).toEqual(['b2']);
    expect(appliedHeads(graph, new Set(['a1', 'a2', 'b1']))).toEqual(['a2', 'b1']);
    expect(appliedHeads(graph, new Set(appliedRevisions(graph, ['m'])))).toEqual(['m']);
  });
});

describe('planSteps: large graph', () => {
  const specs = linearSpecs(10_000);
  const graph = RevisionGraph.build(() => specs);
  const ids = specs.map((spec) => spec.id);

  it('plans base -> head and head -> base of 10,000 revisions in order', () => {
    const up = planSteps(graph, [], 'head');
    expect(up.map((step) => step.revision)).toEqual(ids);
    expect(up[9_999]).toEqual({ direction: 'up', revision: 'r9999', headsBefore: ['r9998'], headsAfter: ['r9999'] });
    const down = planSteps(graph, ['r9999'], 'base');
    expect(down.map((step) => step.revision)).toEqual([...ids].reverse());
    expect(down[9_999]!.headsAfter).toEqual([]);
  });

  it('walks 5,000 down and 4,000 up', () => {
    expect(planSteps(graph, ['r9999'], '-5000').map((step) => step.revision)).toEqual(ids.slice(5_000).reverse());
    expect(planSteps(graph, ['r1000'], '+4000').at(-1)!.revision).toBe('r5000');
  });
});

/**
 * Random graphs (a fixed seed, so every run is the same): from random applied states to every revision, `heads` and
 * `base`, each plan must be executable step by step, keep the heads right at every step, and end where the target
 * says.
 */
describe('planSteps: random graphs keep the invariants', () => {
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state / 2 ** 31;
    };
  }

  function randomGraph(next: () => number, count: number): RevisionGraph {
    const ids = Array.from({ length: count }, (_, index) => `n${index}`);
    return RevisionGraph.build(() =>
      ids.map((id, index) => {
        const pick = () => ids[Math.floor(next() * index)]!;
        const downs = index === 0 || next() < 0.1 ? [] : next() < 0.2 ? [pick(), pick()] : [pick()];
        const dependsOn = index > 0 && next() < 0.15 ? [pick()] : [];
        return { id, downRevisions: downs, dependsOn };
      }),
    );
  }

  function closedUnder(graph: RevisionGraph, applied: ReadonlySet<string>): boolean {
    return [...applied].every((id) =>
      [...graph.get(id).downRevisions, ...graph.get(id).dependsOn].every((parent) => applied.has(parent)),
    );
  }

  it.each([1, 2, 3, 4, 5, 6])('seed %i', (seed) => {
    const next = random(seed);
    const graph = randomGraph(next, 30);
    for (let trial = 0; trial < 8; trial++) {
      const startHeads = graph.topologicalOrder().filter(() => next() < 0.15);
      const start = new Set(appliedRevisions(graph, startHeads));
      for (const target of [...graph.topologicalOrder(), 'heads', 'base']) {
        const steps = planSteps(graph, appliedHeads(graph, start), target);
        const applied = new Set(start);
        let heads = appliedHeads(graph, applied);
        for (const step of steps) {
          expect(step.headsBefore).toEqual(heads);
          if (step.direction === 'up') {
            expect(applied.has(step.revision)).toBe(false);
            applied.add(step.revision);
          } else {
            expect(applied.has(step.revision)).toBe(true);
            applied.delete(step.revision);
          }
          expect(closedUnder(graph, applied)).toBe(true);
          heads = appliedHeads(graph, applied);
          expect(step.headsAfter).toEqual(heads);
        }
        const expected =
          target === 'heads'
            ? new Set(graph.topologicalOrder())
            : target === 'base'
              ? new Set<string>()
              : start.has(target)
                ? new Set(
                    [...start].filter(
                      (id) => !graph.descendants(graph.get(target).nextRevisions, { inclusive: true }).includes(id),
                    ),
                  )
                : new Set([...start, ...graph.ancestors([target], { inclusive: true })]);
        expect([...applied].sort()).toEqual([...expected].sort());
        expect(new Set(steps.map((step) => step.direction)).size).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('planSteps: the README example', () => {
  it('upgrades a two-revision chain from its base to head', () => {
    const graph = RevisionGraph.build(() => [
      { id: '9c1b2a7f3e01', downRevisions: [] },
      { id: '3f2a9c1b7d4e', downRevisions: ['9c1b2a7f3e01'], message: 'Add users table' },
    ]);
    expect(graph.heads()).toEqual(['3f2a9c1b7d4e']);
    expect(planSteps(graph, ['9c1b2a7f3e01'], 'head')).toEqual([
      { direction: 'up', revision: '3f2a9c1b7d4e', headsBefore: ['9c1b2a7f3e01'], headsAfter: ['3f2a9c1b7d4e'] },
    ]);
  });
});
