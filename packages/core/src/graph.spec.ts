import {
  AmbiguousRevisionError,
  BranchLabelIsRevisionIdError,
  CycleError,
  DuplicateBranchLabelError,
  DuplicateRevisionError,
  InvalidBranchLabelError,
  InvalidRevisionIdError,
  MissingRevisionError,
  MultipleHeadsError,
  SelfReferenceError,
  UnknownBranchLabelError,
  UnknownRevisionError,
} from './errors';
import { RevisionGraph } from './graph';
import { captureError, graphOf, linearSpecs, revisionSpecs } from '../../testing/src/revision-fixture';
import { userWords } from '../../testing/src/user-words';


describe('RevisionGraph: linear chain', () => {
  const graph = graphOf('a; b<a; c<b');

  it('has one base, one head, and the chain as its order', () => {
    expect(graph.size).toBe(3);
    expect(graph.bases()).toEqual(['a']);
    expect(graph.heads()).toEqual(['c']);
    expect(graph.topologicalOrder()).toEqual(['a', 'b', 'c']);
  });

  it('normalizes each revision with its next revisions and flags', () => {
    expect(graph.get('b')).toEqual({
      id: 'b',
      downRevisions: ['a'],
      dependsOn: [],
      branchLabels: [],
      branches: [],
      message: 'message of b',
      nextRevisions: ['c'],
      dependents: [],
      isBase: false,
      isHead: false,
      isMergePoint: false,
      isBranchPoint: false,
    });
    expect(graph.get('a').isBase).toBe(true);
    expect(graph.get('c').isHead).toBe(true);
    expect(Object.isFrozen(graph.get('b'))).toBe(true);
  });

  it('walks ancestors and descendants, inclusive or not', () => {
    expect(graph.ancestors(['c'])).toEqual(['a', 'b']);
    expect(graph.ancestors(['c'], { inclusive: true })).toEqual(['a', 'b', 'c']);
    expect(graph.descendants(['a'])).toEqual(['b', 'c']);
    expect(graph.descendants(['b'], { inclusive: true })).toEqual(['b', 'c']);
    expect(graph.descendants(['c'])).toEqual([]);
  });

  it('answers has/get/positionOf and refuses unknown ids', () => {
    expect(graph.has('b')).toBe(true);
    expect(graph.has('z')).toBe(false);
    expect(graph.positionOf('c')).toBe(2);
    expect(captureError(() => graph.get('zzzz'))).toBeInstanceOf(UnknownRevisionError);
    expect(captureError(() => graph.ancestors(['zzzz']))).toMatchObject({
      code: 'REVISION_NOT_FOUND',
      reference: 'zzzz',
    });
  });

  it('does not depend on the order the supplier gives the revisions in', () => {
    const shuffled = graphOf('c<b; a; b<a');
    expect(shuffled.topologicalOrder()).toEqual(['a', 'b', 'c']);
    expect(shuffled.heads()).toEqual(['c']);
  });

  it('calls the supplier once', () => {
    const supply = jest.fn(() => revisionSpecs('a; b<a'));
    RevisionGraph.build(supply);
    expect(supply).toHaveBeenCalledTimes(1);
  });
});

describe('RevisionGraph: sorting and caching', () => {
  const graph = graphOf('p; a1<p; a2<a1; b1<p; b2<b1');

  it('sorts any ids topologically, without duplicates', () => {
    expect(graph.sortTopologically(['b2', 'p', 'a2', 'b2'])).toEqual(['p', 'a2', 'b2']);
    expect(graph.sortTopologically([...graph.topologicalOrder()].reverse())).toEqual(graph.topologicalOrder());
    expect(captureError(() => graph.sortTopologically(['nope']))).toBeInstanceOf(UnknownRevisionError);
  });

  it('gives the same revision object every time', () => {
    expect(graph.get('a1')).toBe(graph.get('a1'));
  });
});

describe('RevisionGraph: empty', () => {
  it('has no revisions, heads or bases', () => {
    const graph = graphOf('');
    expect([graph.size, graph.heads(), graph.bases(), graph.topologicalOrder()]).toEqual([0, [], [], []]);
  });
});

describe('RevisionGraph: two heads from a branch point', () => {
  const graph = graphOf('p; a1<p; a2<a1; b1<p; b2<b1');

  it('lists both heads sorted and marks the branch point', () => {
    expect(graph.heads()).toEqual(['a2', 'b2']);
    expect(graph.get('p').isBranchPoint).toBe(true);
    expect(graph.get('p').nextRevisions).toEqual(['a1', 'b1']);
  });

  it('follows one branch to its end before starting the other', () => {
    expect(graph.topologicalOrder()).toEqual(['p', 'a1', 'a2', 'b1', 'b2']);
  });

  it('keeps branches apart when walking', () => {
    expect(graph.descendants(['a1'])).toEqual(['a2']);
    expect(graph.ancestors(['b2'])).toEqual(['p', 'b1']);
    expect(graph.descendants(['p'])).toEqual(['a1', 'a2', 'b1', 'b2']);
  });
});

describe('RevisionGraph: diamond', () => {
  const graph = graphOf('a; b<a; c<a; d<b,c');

  it('has one head, a merge point and a branch point', () => {
    expect(graph.heads()).toEqual(['d']);
    expect(graph.get('d').isMergePoint).toBe(true);
    expect(graph.get('a').isBranchPoint).toBe(true);
    expect(graph.topologicalOrder()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reaches both sides of the diamond from the merge', () => {
    expect(graph.ancestors(['d'])).toEqual(['a', 'b', 'c']);
    expect(graph.ancestors(['b', 'c'], { inclusive: true })).toEqual(['a', 'b', 'c']);
  });

  it('places the merge only after both of its down revisions, whatever their ids', () => {
    expect(graphOf('a; z<a; b<a; m<z,b').topologicalOrder()).toEqual(['a', 'b', 'z', 'm']);
  });
});

describe('RevisionGraph: several bases with labels', () => {
  const graph = graphOf('x@auth; x1<x; x2<x1; y@billing; y1<y');

  it('has a base and a head per branch', () => {
    expect(graph.bases()).toEqual(['x', 'y']);
    expect(graph.heads()).toEqual(['x2', 'y1']);
    expect(graph.topologicalOrder()).toEqual(['x', 'x1', 'x2', 'y', 'y1']);
  });

  it('gives every revision of a branch its label', () => {
    expect(graph.labels()).toEqual(['auth', 'billing']);
    expect(graph.labelOwner('auth')).toBe('x');
    expect(graph.branchRevisions('auth')).toEqual(['x', 'x1', 'x2']);
    expect(graph.labelsOf('x2')).toEqual(['auth']);
    expect(graph.labelsOf('y1')).toEqual(['billing']);
    expect(graph.get('x').branchLabels).toEqual(['auth']);
    expect(graph.get('x1').branchLabels).toEqual([]);
    expect(graph.branchBase('billing')).toBe('y');
    expect(graph.labelHead('billing')).toBe('y1');
  });

  it('resolves a label alone to the head of its branch', () => {
    expect(graph.resolveRevision('auth')).toBe('x2');
    expect(graph.resolveRevision('billing')).toBe('y1');
  });

  it('refuses an unknown label, naming the known ones', () => {
    const error = captureError(() => graph.branchRevisions('payments'));
    expect(error).toBeInstanceOf(UnknownBranchLabelError);
    expect(error).toMatchObject({ label: 'payments', knownLabels: ['auth', 'billing'] });
    expect(userWords(error)).toBe('No branch label payments exists; the labels are auth, billing.');
  });
});

describe('RevisionGraph: label propagation (Alembic rule)', () => {
  it('spreads down a single line, stopping before a branch point', () => {
    const graph = graphOf('p; a<p; b@feat<a; c<b; q<p');
    expect(graph.branchRevisions('feat')).toEqual(['a', 'b', 'c']);
    expect(graph.branchBase('feat')).toBe('a');
    expect(graph.labelsOf('p')).toEqual([]);
    expect(graph.labelsOf('q')).toEqual([]);
  });

  it('stops before a merge point below the label', () => {
    const graph = graphOf('a; b; m<a,b; n@x<m; o<n');
    expect(graph.branchRevisions('x')).toEqual(['n', 'o']);
  });

  it('gives a merge of two labelled branches both labels', () => {
    const graph = graphOf('a@left; b@right; m<a,b; n<m');
    expect(graph.labelsOf('m')).toEqual(['left', 'right']);
    expect(graph.labelHead('left')).toBe('n');
  });

  it('reports a forked labelled branch as several heads', () => {
    const graph = graphOf('a@feat; b<a; c<a');
    const error = captureError(() => graph.resolveRevision('feat'));
    expect(error).toBeInstanceOf(MultipleHeadsError);
    expect(error).toMatchObject({ reference: 'feat', heads: ['b', 'c'] });
    expect(userWords(error)).toContain("Multiple head revisions are present for 'feat' (b, c)");
  });
});

describe('RevisionGraph: depends-on across branches', () => {
  const graph = graphOf('a1; a2<a1; b1; b2<b1~a2');

  it('orders a dependency before its dependent but keeps both as heads', () => {
    expect(graph.topologicalOrder()).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(graph.heads()).toEqual(['a2', 'b2']);
    expect(graph.get('a2').dependents).toEqual(['b2']);
    expect(graph.get('b2').dependsOn).toEqual(['a2']);
  });

  it('follows dependencies when walking unless told not to', () => {
    expect(graph.ancestors(['b2'])).toEqual(['a1', 'a2', 'b1']);
    expect(graph.ancestors(['b2'], { dependencies: false })).toEqual(['b1']);
    expect(graph.descendants(['a1'])).toEqual(['a2', 'b2']);
    expect(graph.descendants(['a1'], { dependencies: false })).toEqual(['a2']);
  });

  it('waits for a dependency whose id sorts after the dependent branch', () => {
    expect(graphOf('a; b<a~z; z').topologicalOrder()).toEqual(['a', 'z', 'b']);
  });

  it('drops a dependency that is also a down revision', () => {
    expect(graphOf('a; b<a~a').get('b').dependsOn).toEqual([]);
  });
});

describe('RevisionGraph: resolving what a user typed', () => {
  const graph = graphOf(
    'abcd1234; abcd5678<abcd1234; ef012345@feat<abcd5678; featured1<abcd1234; aaaa; bbbb<aaaa',
  );

  it('takes a full id, then a label, then a unique prefix of at least 4 characters', () => {
    expect(graph.resolveRevision('abcd5678')).toBe('abcd5678');
    expect(graph.resolveRevision('ef01')).toBe('ef012345');
    expect(graph.resolveRevision('feat')).toBe('ef012345');
    expect(graph.resolveRevision('aaaa')).toBe('aaaa');
  });

  it('a label equal to an id, which would shadow it, is refused when the graph is built', () => {
    expect(captureError(() => graphOf('aaaa; bbbb@aaaa<aaaa'))).toBeInstanceOf(BranchLabelIsRevisionIdError);
  });

  it('reports an ambiguous prefix with its candidates', () => {
    const error = captureError(() => graph.resolveRevision('abcd'));
    expect(error).toBeInstanceOf(AmbiguousRevisionError);
    expect(error).toMatchObject({
      code: 'AMBIGUOUS_REVISION',
      reference: 'abcd',
      candidates: ['abcd1234', 'abcd5678'],
    });
    expect(userWords(error)).toBe(
      "Revision prefix 'abcd' matches 2 revisions (abcd1234, abcd5678); type more characters of the revision id.",
    );
  });

  it('refuses a prefix shorter than 4 characters, saying why', () => {
    const error = captureError(() => graph.resolveRevision('ef0'));
    expect(error).toMatchObject({ code: 'REVISION_NOT_FOUND', reference: 'ef0' });
    expect(userWords(error)).toContain('a revision prefix needs at least 4 characters');
  });

  it('refuses an unknown revision, pointing at migrate-history', () => {
    const error = captureError(() => graph.resolveRevision('ffff'));
    expect(error).toBeInstanceOf(UnknownRevisionError);
    expect(userWords(error)).toBe(
      "No revision or branch label matches 'ffff'; run nx run backend:migrate-history to list the revision ids and labels.",
    );
  });
});

describe('RevisionGraph: load-time errors', () => {
  it('cycle: names the revisions of the cycle in upgrade order', () => {
    const error = captureError(() => graphOf('a<c; b<a; c<b'));
    expect(error).toBeInstanceOf(CycleError);
    expect(error).toMatchObject({ code: 'REVISION_CYCLE', revisions: ['a', 'b', 'c'] });
    expect(userWords(error)).toBe(
      'Revisions a -> b -> c -> a form a cycle; change the downRevision or dependsOn of one of them so that the ' +
        'chain ends at a base.',
    );
  });

  it('cycle behind a valid base and before a tail: names only the cycle', () => {
    expect(captureError(() => graphOf('z; a<z,c; b<a; c<b; d<c'))).toMatchObject({ revisions: ['a', 'b', 'c'] });
  });

  it('cycle through dependsOn', () => {
    expect(captureError(() => graphOf('a; b<a~c; c<b'))).toMatchObject({ code: 'REVISION_CYCLE', revisions: ['b', 'c'] });
  });

  it('missing down revision: names it and who refers to it', () => {
    const error = captureError(() => graphOf('a; b<x'));
    expect(error).toBeInstanceOf(MissingRevisionError);
    expect(error).toMatchObject({ missing: 'x', referencedBy: 'b', relation: 'downRevision' });
    expect(userWords(error)).toBe(
      'Revision b names x as its down revision, but no migration has the revision id x; restore that migration or ' +
        'correct the downRevision of b.',
    );
  });

  it('missing dependency: names it and who depends on it', () => {
    const error = captureError(() => graphOf('a; b<a~y'));
    expect(error).toMatchObject({ code: 'MISSING_REVISION', missing: 'y', referencedBy: 'b', relation: 'dependsOn' });
    expect(userWords(error)).toContain('Revision b names y as its dependency (dependsOn)');
  });

  it('duplicate revision id', () => {
    const error = captureError(() => graphOf('a; b<a; a'));
    expect(error).toBeInstanceOf(DuplicateRevisionError);
    expect(error).toMatchObject({ code: 'DUPLICATE_REVISION', revision: 'a' });
    expect(userWords(error)).toBe('Revision id a is used by more than one migration; give one of them a new revision id.');
  });

  it('self-reference as down revision and as dependency', () => {
    const down = captureError(() => graphOf('a<a'));
    expect(down).toBeInstanceOf(SelfReferenceError);
    expect(down).toMatchObject({ revision: 'a', relation: 'downRevision' });
    expect(userWords(down)).toBe('Revision a lists itself as its own down revision; remove a from its downRevision.');
    expect(captureError(() => graphOf('a; b<a~b'))).toMatchObject({ revision: 'b', relation: 'dependsOn' });
  });

  it('branch label used twice: names the label and both revisions', () => {
    const error = captureError(() => graphOf('a@x; b@x<a'));
    expect(error).toBeInstanceOf(DuplicateBranchLabelError);
    expect(error).toMatchObject({ label: 'x', revisions: ['a', 'b'] });
    expect(userWords(error)).toBe(
      'Branch label x is declared by both a and b; a label names one branch, so remove it from one of them or rename it.',
    );
  });

  it('branch label equal to another revision id: names the label, its revision and the other one', () => {
    const error = captureError(() => graphOf('a; b@a<a'));
    expect(error).toBeInstanceOf(BranchLabelIsRevisionIdError);
    expect(error).toMatchObject({ code: 'BRANCH_LABEL_IS_REVISION_ID', label: 'a', owner: 'b', revision: 'a' });
    expect(userWords(error)).toBe(
      'Branch label a of revision b is also the id of revision a; labels and ids share one namespace (as in ' +
        'Alembic), so rename the label.',
    );
    expect(captureError(() => graphOf('a@a'))).toMatchObject({ owner: 'a', revision: 'a' });
  });

  it('a dependency naming a branch label is the revision declaring that label', () => {
    const graph = graphOf('c1@lib; c2<c1; a1; a2<a1~lib');
    expect(graph.get('a2').dependsOn).toEqual(['c1']);
    expect(graph.get('c1').dependents).toEqual(['a2']);
    expect(graph.ancestors(['a2'])).toEqual(['a1', 'c1']);
    expect(captureError(() => graphOf('a1; a2<a1~nolabel'))).toMatchObject({
      code: 'MISSING_REVISION',
      missing: 'nolabel',
      referencedBy: 'a2',
      relation: 'dependsOn',
    });
    expect(captureError(() => graphOf('a1@own~own'))).toMatchObject({ code: 'SELF_REFERENCE', revision: 'a1' });
  });

  it('resolves references, branches and lineages as the --to grammar needs', () => {
    const graph = graphOf('a; b<a; c1@left<b; d1<c1; c2<b');
    expect(graph.resolveReference('left')).toBe('c1');
    expect(graph.resolveBranch('left')).toBe('c1');
    expect(graph.resolveBranch('d1')).toBe('d1');
    expect(captureError(() => graph.resolveBranch('zzzz'))).toMatchObject({ code: 'UNKNOWN_BRANCH_LABEL' });
    const lineage = graph.lineageOf('c1');
    expect(graph.topologicalOrder().filter((id) => lineage[graph.positionOf(id)] === 1)).toEqual([
      'a',
      'b',
      'c1',
      'd1',
    ]);
  });

  it.each(['head', 'base', 'a-b', 'a b', ''])('invalid revision id %j', (id) => {
    const error = captureError(() => RevisionGraph.build(() => [{ id, downRevisions: [] }]));
    expect(error).toBeInstanceOf(InvalidRevisionIdError);
    expect(error).toMatchObject({ code: 'INVALID_REVISION_ID', revision: id });
  });

  it.each(['heads', 'my-branch'])('invalid branch label %j', (label) => {
    const error = captureError(() =>
      RevisionGraph.build(() => [{ id: 'a', downRevisions: [], branchLabels: [label] }]),
    );
    expect(error).toBeInstanceOf(InvalidBranchLabelError);
    expect(error).toMatchObject({ label, revision: 'a' });
  });
});

describe('RevisionGraph: large graph', () => {
  it('builds a 10,000-revision chain without recursion and answers in order', () => {
    const graph = RevisionGraph.build(() => linearSpecs(10_000));
    const ids = linearSpecs(10_000).map((spec) => spec.id);
    expect(graph.size).toBe(10_000);
    expect(graph.heads()).toEqual(['r9999']);
    expect(graph.bases()).toEqual(['r0000']);
    expect(graph.topologicalOrder()).toEqual(ids);
    expect(graph.ancestors(['r9999'])).toEqual(ids.slice(0, -1));
    expect(graph.descendants(['r5000'], { inclusive: true })).toEqual(ids.slice(5000));
    expect(graph.resolveRevision('r1234')).toBe('r1234');
    expect(captureError(() => graph.resolveRevision('r123'))).toMatchObject({
      candidates: ['r1230', 'r1231', 'r1232', 'r1233', 'r1234', 'r1235', 'r1236', 'r1237', 'r1238', 'r1239'],
    });
  });

  it('finds a cycle closing a 10,000-revision chain', () => {
    const specs = linearSpecs(10_000).map((spec, index) =>
      index === 0 ? { ...spec, downRevisions: ['r9999'] } : spec,
    );
    const error = captureError(() => RevisionGraph.build(() => specs)) as CycleError;
    expect(error.revisions).toHaveLength(10_000);
    expect(error.revisions.slice(0, 3)).toEqual(['r0000', 'r0001', 'r0002']);
  });
});
