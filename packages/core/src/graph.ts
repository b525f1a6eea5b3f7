import {
  AmbiguousRevisionError,
  type RevisionRelation,
  CycleError,
  BranchLabelIsRevisionIdError,
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
import type { Revision, RevisionSpec } from './revision';
import { isValidName } from './target';

/** Shortest revision prefix `resolveRevision` accepts (shorter text must be a full id or a label). */
export const MIN_PREFIX_LENGTH = 4;

export interface WalkOptions {
  /** Include the starting revisions themselves (default false). */
  readonly inclusive?: boolean;
  /** Follow `dependsOn` edges as well as down revisions (default true). */
  readonly dependencies?: boolean;
}

/**
 * The graph by position in {@link RevisionGraph.topologicalOrder}: position `i` is `ids[i]`, and every edge points
 * from a lower position to a higher one. For linear-time algorithms (planning 100,000 steps) that mark revisions in
 * arrays instead of sets of ids.
 */
export interface PositionedRevisions {
  readonly ids: readonly string[];
  /** Positions of each revision's down revisions. */
  readonly down: readonly (readonly number[])[];
  /** Positions of each revision's down revisions and dependencies. */
  readonly parents: readonly (readonly number[])[];
  /** Positions of each revision's next revisions. */
  readonly next: readonly (readonly number[])[];
  /** Positions of each revision's next revisions and dependents. */
  readonly children: readonly (readonly number[])[];
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A revision as declared, validated, with its edges not yet resolved. */
interface DeclaredRevision {
  readonly id: string;
  readonly downRevisions: readonly string[];
  readonly dependsOn: readonly string[];
  readonly branchLabels: readonly string[];
  readonly message: string;
}

const NONE: readonly number[] = Object.freeze([]);
const NONE_IDS: readonly string[] = Object.freeze([]);

/** The values without repeats; the same array when there can be none (no copy per revision of a large graph). */
function unique(values: readonly string[] | undefined): readonly string[] {
  if (values === undefined || values.length === 0) return NONE_IDS;
  return values.length === 1 ? values : [...new Set(values)];
}

function declare(spec: RevisionSpec): DeclaredRevision {
  const id = spec.id;
  if (!isValidName(id)) throw new InvalidRevisionIdError(id);
  const downRevisions = unique(spec.downRevisions);
  const declaredDependencies = unique(spec.dependsOn);
  const dependsOn = declaredDependencies.some((dependency) => downRevisions.includes(dependency))
    ? declaredDependencies.filter((dependency) => !downRevisions.includes(dependency))
    : declaredDependencies;
  if (downRevisions.includes(id)) throw new SelfReferenceError(id, 'downRevision');
  if (dependsOn.includes(id)) throw new SelfReferenceError(id, 'dependsOn');
  const branchLabels = unique(spec.branchLabels);
  for (const label of branchLabels) {
    if (!isValidName(label)) throw new InvalidBranchLabelError(label, id);
  }
  return { id, downRevisions, dependsOn, branchLabels, message: spec.message ?? '' };
}

/**
 * The revision graph (Alembic's revision map): revisions linked by down revisions (parents) and `dependsOn`
 * (ordering-only edges). Built once from a supplier, immutable, synchronous; every query is linear or better.
 * Internally everything is indexed by topological position; {@link Revision} objects are made on first use.
 */
export class RevisionGraph {
  /** The graph by topological position. */
  readonly positioned: PositionedRevisions;
  private readonly declared: readonly DeclaredRevision[];
  private readonly suppliedIndex: ReadonlyMap<string, number>;
  private readonly positionOfSupplied: Int32Array;
  private readonly materialized: (Revision | undefined)[];
  private readonly labelOwners: ReadonlyMap<string, string>;
  private readonly labelMembers: ReadonlyMap<string, readonly string[]>;
  private readonly branchesAt: ReadonlyMap<number, readonly string[]>;
  private readonly headIds: readonly string[];
  private readonly baseIds: readonly string[];

  private constructor(supplied: DeclaredRevision[], suppliedIndex: ReadonlyMap<string, number>) {
    const count = supplied.length;
    const labelOwners = new Map<string, string>();
    for (const revision of supplied) {
      for (const label of revision.branchLabels) {
        const owner = labelOwners.get(label);
        if (owner !== undefined) throw new DuplicateBranchLabelError(label, [owner, revision.id]);
        // Alembic keeps labels and ids in one namespace: a label equal to an id would shadow that revision.
        if (suppliedIndex.has(label)) throw new BranchLabelIsRevisionIdError(label, revision.id, label);
        labelOwners.set(label, revision.id);
      }
    }
    // Built by supplied index, then renumbered in place to topological positions: at 100,000 revisions the garbage
    // collector, not the algorithm, is what costs, so no per-revision array is made twice.
    const down: (readonly number[])[] = new Array(count);
    const dependencies: (readonly number[])[] = new Array(count);
    const next: number[][] = new Array(count);
    const dependents: number[][] = new Array(count);
    for (let index = 0; index < count; index++) {
      const revision = supplied[index]!;
      down[index] = resolveEdges(revision, 'downRevision', suppliedIndex, labelOwners);
      dependencies[index] = resolveEdges(revision, 'dependsOn', suppliedIndex, labelOwners);
      if (revision.dependsOn.length > 0) supplied[index] = withResolvedDependencies(revision, dependencies[index]!, supplied);
      if (dependencies[index]!.length > 0 && down[index]!.length > 0) {
        // A dependency named by label may turn out to be a down revision as well: it is then only a down revision.
        const parents = down[index]!;
        dependencies[index] = dependencies[index]!.filter((parent) => !parents.includes(parent));
      }
    }
    for (let index = 0; index < count; index++) {
      for (const parent of down[index]!) (next[parent] ??= []).push(index);
      for (const parent of dependencies[index]!) (dependents[parent] ??= []).push(index);
    }
    const order = topologicalSort(supplied, down, dependencies, next, dependents);
    const positionOfSupplied = new Int32Array(count);
    order.forEach((index, position) => (positionOfSupplied[index] = position));
    for (const lists of [down, dependencies, next, dependents] as number[][][]) {
      for (const list of lists) {
        if (list === undefined) continue;
        for (let k = 0; k < list.length; k++) list[k] = positionOfSupplied[list[k]!]!;
      }
    }

    const ids = new Array<string>(count);
    const byPosition = {
      ids,
      down: new Array<readonly number[]>(count),
      parents: new Array<readonly number[]>(count),
      next: new Array<readonly number[]>(count),
      children: new Array<readonly number[]>(count),
    };
    const declared = new Array<DeclaredRevision>(count);
    for (let position = 0; position < count; position++) {
      const index = order[position]!;
      declared[position] = supplied[index]!;
      ids[position] = supplied[index]!.id;
      const parents = down[index]!;
      const children = next[index] ?? NONE;
      byPosition.down[position] = parents;
      byPosition.next[position] = children;
      byPosition.parents[position] =
        dependencies[index]!.length === 0 ? parents : [...parents, ...dependencies[index]!];
      byPosition.children[position] = dependents[index] === undefined ? children : [...children, ...dependents[index]!];
    }
    this.positioned = Object.freeze(byPosition);
    this.declared = declared;
    this.suppliedIndex = suppliedIndex;
    this.positionOfSupplied = positionOfSupplied;
    this.materialized = new Array(count);

    this.labelOwners = labelOwners;
    const branchesAt = new Map<number, string[]>();
    const labelMembers = new Map<string, readonly string[]>();
    for (const label of [...labelOwners.keys()].sort(compareIds)) {
      const members = branchMembers(this.positioned, this.positionOf(labelOwners.get(label)!));
      labelMembers.set(label, Object.freeze(members.map((position) => byPosition.ids[position]!)));
      for (const member of members) {
        const labels = branchesAt.get(member);
        if (labels) labels.push(label);
        else branchesAt.set(member, [label]);
      }
    }
    this.labelMembers = labelMembers;
    this.branchesAt = branchesAt;

    this.headIds = Object.freeze(ids.filter((_, position) => byPosition.next[position]!.length === 0).sort(compareIds));
    this.baseIds = Object.freeze(ids.filter((_, position) => byPosition.down[position]!.length === 0).sort(compareIds));
  }

  /**
   * Builds the graph from a supplier of revisions (so each graph shape is a one-line fixture). Throws, naming the
   * offenders: {@link InvalidRevisionIdError}, {@link InvalidBranchLabelError}, {@link DuplicateRevisionError},
   * {@link SelfReferenceError}, {@link MissingRevisionError}, {@link DuplicateBranchLabelError}, {@link CycleError}.
   */
  static build(supply: () => Iterable<RevisionSpec>): RevisionGraph {
    const supplied: DeclaredRevision[] = [];
    const index = new Map<string, number>();
    for (const spec of supply()) {
      const revision = declare(spec);
      if (index.has(revision.id)) throw new DuplicateRevisionError(revision.id);
      index.set(revision.id, supplied.length);
      supplied.push(revision);
    }
    return new RevisionGraph(supplied, index);
  }

  get size(): number {
    return this.declared.length;
  }

  has(id: string): boolean {
    return this.suppliedIndex.has(id);
  }

  /** The revision with this exact id; {@link UnknownRevisionError} when there is none. */
  get(id: string): Revision {
    const position = this.positionOf(id);
    return (this.materialized[position] ??= this.materialize(position));
  }

  /** Revisions nothing names as a down revision, sorted by id (a revision only depended upon is still a head, as in Alembic). */
  heads(): readonly string[] {
    return this.headIds;
  }

  /** Revisions without down revisions, sorted by id. */
  bases(): readonly string[] {
    return this.baseIds;
  }

  /**
   * Every revision, base first; each comes after its down revisions and its `dependsOn`. Deterministic: a branch is
   * followed to its end before the next one starts, and ties go to the smaller id.
   */
  topologicalOrder(): readonly string[] {
    return this.positioned.ids;
  }

  /** Position of a revision in {@link topologicalOrder}. */
  positionOf(id: string): number {
    const index = this.suppliedIndex.get(id);
    if (index === undefined) throw new UnknownRevisionError(id);
    return this.positionOfSupplied[index]!;
  }

  /** The given revisions in topological order (base first), without duplicates. */
  sortTopologically(ids: Iterable<string>): string[] {
    const wanted = new Set(ids);
    for (const id of wanted) this.positionOf(id);
    // A big share of a big graph is cheaper to pick out of the whole order than to sort (plans of 100,000 steps).
    if (wanted.size * Math.log2(wanted.size + 1) > this.size) {
      return this.positioned.ids.filter((id) => wanted.has(id));
    }
    return [...wanted].sort((a, b) => this.positionOf(a) - this.positionOf(b));
  }

  /** Revisions below the given ones (down revisions and, by default, dependencies), in topological order. */
  ancestors(ids: Iterable<string>, options: WalkOptions = {}): string[] {
    const { down, parents } = this.positioned;
    return this.walk(ids, options.inclusive ?? false, (options.dependencies ?? true) ? parents : down);
  }

  /** Revisions above the given ones (next revisions and, by default, dependents), in topological order. */
  descendants(ids: Iterable<string>, options: WalkOptions = {}): string[] {
    const { next, children } = this.positioned;
    return this.walk(ids, options.inclusive ?? false, (options.dependencies ?? true) ? children : next);
  }

  /** Every declared branch label, sorted. */
  labels(): readonly string[] {
    return [...this.labelOwners.keys()].sort(compareIds);
  }

  /** The revision that declares a label; {@link UnknownBranchLabelError} when none does. */
  labelOwner(label: string): string {
    const owner = this.labelOwners.get(label);
    if (owner === undefined) throw new UnknownBranchLabelError(label, this.labels());
    return owner;
  }

  /**
   * The revisions of a labelled branch in topological order: the declaring revision, everything above it, and the
   * revisions below it down to (not past) a branch point or merge point — Alembic's rule.
   */
  branchRevisions(label: string): readonly string[] {
    const members = this.labelMembers.get(label);
    if (!members) throw new UnknownBranchLabelError(label, this.labels());
    return members;
  }

  /** Labels of the branches a revision belongs to. */
  labelsOf(id: string): readonly string[] {
    return this.branchesAt.get(this.positionOf(id)) ?? NONE_IDS;
  }

  /** The lowest revision of a labelled branch. */
  branchBase(label: string): string {
    return this.branchRevisions(label)[0]!;
  }

  /** The heads of a labelled branch, sorted by id. */
  branchHeads(label: string): readonly string[] {
    return this.branchRevisions(label)
      .filter((id) => this.positioned.next[this.positionOf(id)]!.length === 0)
      .sort(compareIds);
  }

  /**
   * The single head of a labelled branch; {@link MultipleHeadsError} when the branch has forked, naming its heads.
   * @param reference what the user typed, for the error
   */
  labelHead(label: string, reference = `${label}@head`): string {
    const heads = this.branchHeads(label);
    if (heads.length !== 1) throw new MultipleHeadsError(reference, heads, this.labelSuggestions(heads));
    return heads[0]!;
  }

  /** `LABEL@head` forms that would pick exactly one of the given heads. */
  labelSuggestions(heads: readonly string[]): string[] {
    const suggestions: string[] = [];
    for (const label of this.labels()) {
      const labelHeads = this.branchHeads(label);
      if (labelHeads.length === 1 && heads.includes(labelHeads[0]!)) suggestions.push(`${label}@head`);
    }
    return suggestions;
  }

  /**
   * One revision from what a user typed: a full id, then a branch label (its head), then a unique prefix of at least
   * {@link MIN_PREFIX_LENGTH} characters. Throws {@link UnknownRevisionError}, {@link AmbiguousRevisionError} or
   * {@link MultipleHeadsError} (a label whose branch has several heads).
   */
  resolveRevision(text: string): string {
    if (this.suppliedIndex.has(text)) return text;
    if (this.labelOwners.has(text)) return this.labelHead(text, text);
    return this.resolvePrefix(text);
  }

  /**
   * One revision as the `--to` grammar names it (Alembic's `get_revision`): a full id, then a branch label (the
   * revision that declares it), then a unique prefix of at least {@link MIN_PREFIX_LENGTH} characters.
   * @param within marks by position (a branch's lineage): a prefix need only be unique among these (`BRANCH@PREFIX`)
   */
  resolveReference(text: string, within?: Uint8Array): string {
    if (this.suppliedIndex.has(text)) return text;
    const owner = this.labelOwners.get(text);
    if (owner !== undefined) return owner;
    return this.resolvePrefix(text, within);
  }

  /**
   * The revision that stands for a branch in `BRANCH@...`: the revision declaring a label, or a revision given by id
   * or prefix (Alembic lets any revision pick "its" branch). {@link UnknownBranchLabelError} when it is neither.
   */
  resolveBranch(name: string): string {
    const owner = this.labelOwners.get(name);
    if (owner !== undefined) return owner;
    try {
      return this.resolveReference(name);
    } catch (error) {
      if (error instanceof UnknownRevisionError) throw new UnknownBranchLabelError(name, this.labels());
      throw error;
    }
  }

  /**
   * Alembic's lineage of a revision: everything below it by down revision and everything above it by next revision,
   * itself included; dependencies are not followed. Marks by topological position.
   */
  lineageOf(id: string): Uint8Array {
    const position = this.positionOf(id);
    const marks = new Uint8Array(this.size);
    marks[position] = 1;
    spread(marks, [position], this.positioned.down);
    spread(marks, [position], this.positioned.next);
    return marks;
  }

  private resolvePrefix(text: string, within?: Uint8Array): string {
    if (text.length >= MIN_PREFIX_LENGTH) {
      const candidates: string[] = [];
      this.positioned.ids.forEach((id, position) => {
        if (id.startsWith(text) && (within === undefined || within[position] === 1)) candidates.push(id);
      });
      if (candidates.length === 1) return candidates[0]!;
      if (candidates.length > 1) throw new AmbiguousRevisionError(text, candidates.sort(compareIds));
    }
    throw new UnknownRevisionError(text);
  }

  private walk(ids: Iterable<string>, inclusive: boolean, edges: readonly (readonly number[])[]): string[] {
    const seen = new Uint8Array(this.size);
    const pending: number[] = [];
    for (const id of ids) {
      const start = this.positionOf(id);
      if (inclusive) seen[start] = 1;
      pending.push(start);
    }
    spread(seen, pending, edges);
    return this.positioned.ids.filter((_, index) => seen[index] === 1);
  }

  private materialize(position: number): Revision {
    const { ids, next, children } = this.positioned;
    const revision = this.declared[position]!;
    const nextRevisions = next[position]!.map((child) => ids[child]!).sort(compareIds);
    const dependents = children[position]!.filter((child) => !next[position]!.includes(child))
      .map((child) => ids[child]!)
      .sort(compareIds);
    return Object.freeze({
      id: revision.id,
      downRevisions: Object.freeze([...revision.downRevisions]),
      dependsOn: Object.freeze([...revision.dependsOn]),
      branchLabels: Object.freeze([...revision.branchLabels]),
      branches: Object.freeze([...(this.branchesAt.get(position) ?? [])]),
      message: revision.message,
      nextRevisions: Object.freeze(nextRevisions),
      dependents: Object.freeze(dependents),
      isBase: revision.downRevisions.length === 0,
      isHead: nextRevisions.length === 0,
      isMergePoint: revision.downRevisions.length > 1,
      isBranchPoint: nextRevisions.length > 1,
    });
  }
}

/**
 * Supplied indices of the revisions an edge names. A dependency may name a branch label, meaning the revision that
 * declares it (Alembic resolves `depends_on` through the same map as labels).
 */
function resolveEdges(
  revision: DeclaredRevision,
  relation: RevisionRelation,
  index: ReadonlyMap<string, number>,
  labelOwners: ReadonlyMap<string, string>,
): readonly number[] {
  const targets = relation === 'downRevision' ? revision.downRevisions : revision.dependsOn;
  if (targets.length === 0) return NONE;
  const resolved = targets.map((target) => {
    const owner = relation === 'dependsOn' && !index.has(target) ? labelOwners.get(target) : undefined;
    const found = index.get(owner ?? target);
    if (found === undefined) throw new MissingRevisionError(target, revision.id, relation);
    if (owner === revision.id) throw new SelfReferenceError(revision.id, relation);
    return found;
  });
  return resolved.length > 1 ? [...new Set(resolved)] : resolved;
}

/** The revision with its `dependsOn` as revision ids (labels replaced by the revisions declaring them). */
function withResolvedDependencies(
  revision: DeclaredRevision,
  dependencies: readonly number[],
  supplied: readonly DeclaredRevision[],
): DeclaredRevision {
  const ids = dependencies.map((index) => supplied[index]!.id).filter((id) => !revision.downRevisions.includes(id));
  if (ids.length === revision.dependsOn.length && ids.every((id, at) => id === revision.dependsOn[at])) return revision;
  return { ...revision, dependsOn: ids };
}

/**
 * Kahn's algorithm with a stack, so that a branch is followed to its end before a sibling starts; ready revisions
 * are taken smallest id first. Iterative: a 100,000-revision chain must not overflow the call stack.
 * @returns indices into `revisions`, base first
 */
function topologicalSort(
  revisions: readonly DeclaredRevision[],
  down: readonly (readonly number[])[],
  dependencies: readonly (readonly number[])[],
  next: readonly (readonly number[] | undefined)[],
  dependents: readonly (readonly number[] | undefined)[],
): number[] {
  const count = revisions.length;
  const waiting = new Int32Array(count);
  const ready: number[] = [];
  for (let index = 0; index < count; index++) {
    waiting[index] = down[index]!.length + dependencies[index]!.length;
    if (waiting[index] === 0) ready.push(index);
  }
  const byIdDescending = (a: number, b: number) => compareIds(revisions[b]!.id, revisions[a]!.id);
  ready.sort(byIdDescending);
  const order: number[] = [];
  const released: number[] = [];
  while (ready.length > 0) {
    const index = ready.pop()!;
    order.push(index);
    for (const children of [next[index], dependents[index]]) {
      if (children === undefined) continue;
      for (const child of children) if (--waiting[child]! === 0) released.push(child);
    }
    if (released.length > 1) released.sort(byIdDescending);
    for (const child of released) ready.push(child);
    released.length = 0;
  }
  if (order.length < count) throw new CycleError(findCycle(revisions, down, dependencies, waiting));
  return order;
}

/** A cycle among the revisions Kahn's algorithm could not place, in upgrade order, starting at its smallest id. */
function findCycle(
  revisions: readonly DeclaredRevision[],
  down: readonly (readonly number[])[],
  dependencies: readonly (readonly number[])[],
  waiting: Int32Array,
): string[] {
  const byId = (a: number, b: number) => compareIds(revisions[a]!.id, revisions[b]!.id);
  const blocked = (index: number) => waiting[index]! > 0;
  // Every blocked revision has a blocked parent, so walking down through blocked parents must come back on itself.
  let current = revisions
    .map((_, index) => index)
    .filter(blocked)
    .sort(byId)[0]!;
  const path: number[] = [];
  const onPath = new Map<number, number>();
  while (!onPath.has(current)) {
    onPath.set(current, path.length);
    path.push(current);
    current = [...down[current]!, ...dependencies[current]!].filter(blocked).sort(byId)[0]!;
  }
  const cycle = path
    .slice(onPath.get(current)!)
    .reverse()
    .map((index) => revisions[index]!.id);
  let start = 0;
  cycle.forEach((id, index) => {
    if (compareIds(id, cycle[start]!) < 0) start = index;
  });
  return [...cycle.slice(start), ...cycle.slice(0, start)];
}

/**
 * Alembic's branch membership: the labelled revision, all its descendants by down revision, and its ancestors down a
 * single line, stopping before a revision that is a branch point or a merge point.
 * @returns positions, ascending
 */
function branchMembers(graph: PositionedRevisions, owner: number): number[] {
  const members = new Uint8Array(graph.ids.length);
  members[owner] = 1;
  spread(members, [owner], graph.next);
  let current = owner;
  while (graph.down[current]!.length === 1) {
    const parent = graph.down[current]![0]!;
    if (graph.next[parent]!.length > 1 || graph.down[parent]!.length > 1) break;
    members[parent] = 1;
    current = parent;
  }
  const positions: number[] = [];
  members.forEach((isMember, position) => {
    if (isMember === 1) positions.push(position);
  });
  return positions;
}

/**
 * Marks everything reachable from `pending` along `edges` (iteratively), skipping what is already marked; a marked
 * revision is not expanded again.
 */
export function spread(marks: Uint8Array, pending: number[], edges: readonly (readonly number[])[]): void {
  while (pending.length > 0) {
    for (const next of edges[pending.pop()!]!) {
      if (marks[next] === 1) continue;
      marks[next] = 1;
      pending.push(next);
    }
  }
}
