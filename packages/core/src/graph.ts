import {
  AmbiguousRevisionError,
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

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface MutableNode {
  readonly id: string;
  readonly downRevisions: readonly string[];
  readonly dependsOn: readonly string[];
  readonly branchLabels: readonly string[];
  readonly message: string;
  readonly nextRevisions: string[];
  readonly dependents: string[];
}

function unique(values: readonly string[]): string[] {
  return values.length < 2 ? [...values] : [...new Set(values)];
}

/**
 * The revision graph (Alembic's revision map): revisions linked by down revisions (parents) and `dependsOn`
 * (ordering-only edges). Built once from a supplier, immutable, synchronous; every query is linear or better.
 */
export class RevisionGraph {
  private readonly revisions: ReadonlyMap<string, Revision>;
  private readonly order: readonly string[];
  private readonly position: ReadonlyMap<string, number>;
  private readonly labelOwners: ReadonlyMap<string, string>;
  private readonly labelMembers: ReadonlyMap<string, readonly string[]>;
  private readonly headIds: readonly string[];
  private readonly baseIds: readonly string[];

  private constructor(nodes: Map<string, MutableNode>, supplyOrder: readonly string[]) {
    const order = topologicalSort(nodes, supplyOrder);
    const position = new Map<string, number>();
    order.forEach((id, index) => position.set(id, index));
    this.order = order;
    this.position = position;

    const labelOwners = new Map<string, string>();
    for (const id of supplyOrder) {
      for (const label of nodes.get(id)!.branchLabels) {
        const owner = labelOwners.get(label);
        if (owner !== undefined) throw new DuplicateBranchLabelError(label, [owner, id]);
        labelOwners.set(label, id);
      }
    }
    this.labelOwners = labelOwners;

    const branchesOf = new Map<string, string[]>();
    const labelMembers = new Map<string, readonly string[]>();
    for (const [label, owner] of [...labelOwners].sort((a, b) => compareIds(a[0], b[0]))) {
      const members = branchMembers(nodes, owner).sort((a, b) => position.get(a)! - position.get(b)!);
      labelMembers.set(label, Object.freeze(members));
      for (const member of members) {
        const labels = branchesOf.get(member);
        if (labels) labels.push(label);
        else branchesOf.set(member, [label]);
      }
    }
    this.labelMembers = labelMembers;

    const revisions = new Map<string, Revision>();
    for (const id of order) {
      const node = nodes.get(id)!;
      node.nextRevisions.sort(compareIds);
      node.dependents.sort(compareIds);
      revisions.set(
        id,
        Object.freeze({
          id,
          downRevisions: Object.freeze(node.downRevisions),
          dependsOn: Object.freeze(node.dependsOn),
          branchLabels: Object.freeze(node.branchLabels),
          branches: Object.freeze(branchesOf.get(id) ?? []),
          message: node.message,
          nextRevisions: Object.freeze(node.nextRevisions),
          dependents: Object.freeze(node.dependents),
          isBase: node.downRevisions.length === 0,
          isHead: node.nextRevisions.length === 0,
          isMergePoint: node.downRevisions.length > 1,
          isBranchPoint: node.nextRevisions.length > 1,
        }),
      );
    }
    this.revisions = revisions;
    this.headIds = Object.freeze(order.filter((id) => revisions.get(id)!.isHead).sort(compareIds));
    this.baseIds = Object.freeze(order.filter((id) => revisions.get(id)!.isBase).sort(compareIds));
  }

  /**
   * Builds the graph from a supplier of revisions (so each graph shape is a one-line fixture). Throws, naming the
   * offenders: {@link InvalidRevisionIdError}, {@link InvalidBranchLabelError}, {@link DuplicateRevisionError},
   * {@link SelfReferenceError}, {@link MissingRevisionError}, {@link DuplicateBranchLabelError}, {@link CycleError}.
   */
  static build(supply: () => Iterable<RevisionSpec>): RevisionGraph {
    const nodes = new Map<string, MutableNode>();
    const supplyOrder: string[] = [];
    for (const spec of supply()) {
      const id = spec.id;
      if (!isValidName(id)) throw new InvalidRevisionIdError(id);
      if (nodes.has(id)) throw new DuplicateRevisionError(id);
      const downRevisions = unique(spec.downRevisions);
      const dependsOn = unique(spec.dependsOn ?? []).filter((dependency) => !downRevisions.includes(dependency));
      if (downRevisions.includes(id)) throw new SelfReferenceError(id, 'downRevision');
      if (dependsOn.includes(id)) throw new SelfReferenceError(id, 'dependsOn');
      const branchLabels = unique(spec.branchLabels ?? []);
      for (const label of branchLabels) {
        if (!isValidName(label)) throw new InvalidBranchLabelError(label, id);
      }
      nodes.set(id, {
        id,
        downRevisions,
        dependsOn,
        branchLabels,
        message: spec.message ?? '',
        nextRevisions: [],
        dependents: [],
      });
      supplyOrder.push(id);
    }
    for (const id of supplyOrder) {
      const node = nodes.get(id)!;
      for (const down of node.downRevisions) {
        const parent = nodes.get(down);
        if (!parent) throw new MissingRevisionError(down, id, 'downRevision');
        parent.nextRevisions.push(id);
      }
      for (const dependency of node.dependsOn) {
        const parent = nodes.get(dependency);
        if (!parent) throw new MissingRevisionError(dependency, id, 'dependsOn');
        parent.dependents.push(id);
      }
    }
    return new RevisionGraph(nodes, supplyOrder);
  }

  get size(): number {
    return this.order.length;
  }

  has(id: string): boolean {
    return this.revisions.has(id);
  }

  /** The revision with this exact id; {@link UnknownRevisionError} when there is none. */
  get(id: string): Revision {
    const revision = this.revisions.get(id);
    if (!revision) throw new UnknownRevisionError(id);
    return revision;
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
    return this.order;
  }

  /** Position of a revision in {@link topologicalOrder}. */
  positionOf(id: string): number {
    const position = this.position.get(id);
    if (position === undefined) throw new UnknownRevisionError(id);
    return position;
  }

  /** The given revisions in topological order (base first), without duplicates. */
  sortTopologically(ids: Iterable<string>): string[] {
    const wanted = new Set(ids);
    for (const id of wanted) this.positionOf(id);
    // A big share of a big graph is cheaper to pick out of the whole order than to sort (plans of 100,000 steps).
    if (wanted.size * Math.log2(wanted.size + 1) > this.order.length) {
      return this.order.filter((id) => wanted.has(id));
    }
    return [...wanted].sort((a, b) => this.position.get(a)! - this.position.get(b)!);
  }

  /** Revisions below the given ones (down revisions and, by default, dependencies), in topological order. */
  ancestors(ids: Iterable<string>, options: WalkOptions = {}): string[] {
    const dependencies = options.dependencies ?? true;
    return this.walk(ids, options.inclusive ?? false, (revision) =>
      dependencies ? [revision.downRevisions, revision.dependsOn] : [revision.downRevisions],
    );
  }

  /** Revisions above the given ones (next revisions and, by default, dependents), in topological order. */
  descendants(ids: Iterable<string>, options: WalkOptions = {}): string[] {
    const dependencies = options.dependencies ?? true;
    return this.walk(ids, options.inclusive ?? false, (revision) =>
      dependencies ? [revision.nextRevisions, revision.dependents] : [revision.nextRevisions],
    );
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
    return this.get(id).branches;
  }

  /** The lowest revision of a labelled branch. */
  branchBase(label: string): string {
    return this.branchRevisions(label)[0]!;
  }

  /** The heads of a labelled branch, sorted by id. */
  branchHeads(label: string): readonly string[] {
    return this.branchRevisions(label)
      .filter((id) => this.revisions.get(id)!.isHead)
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
    if (this.revisions.has(text)) return text;
    if (this.labelOwners.has(text)) return this.labelHead(text, text);
    if (text.length >= MIN_PREFIX_LENGTH) {
      const candidates: string[] = [];
      for (const id of this.revisions.keys()) {
        if (id.startsWith(text)) candidates.push(id);
      }
      if (candidates.length === 1) return candidates[0]!;
      if (candidates.length > 1) throw new AmbiguousRevisionError(text, candidates.sort(compareIds));
    }
    throw new UnknownRevisionError(text);
  }

  private walk(
    ids: Iterable<string>,
    inclusive: boolean,
    edges: (revision: Revision) => ReadonlyArray<readonly string[]>,
  ): string[] {
    const seen = new Set<string>();
    const pending: string[] = [];
    for (const id of ids) {
      this.get(id);
      if (inclusive && !seen.has(id)) seen.add(id);
      pending.push(id);
    }
    while (pending.length > 0) {
      const revision = this.revisions.get(pending.pop()!)!;
      for (const group of edges(revision)) {
        for (const next of group) {
          if (seen.has(next)) continue;
          seen.add(next);
          pending.push(next);
        }
      }
    }
    return this.sortTopologically(seen);
  }
}

/**
 * Kahn's algorithm with a stack, so that a branch is followed to its end before a sibling starts; ready revisions
 * are taken smallest id first. Iterative: a 100,000-revision chain must not overflow the call stack.
 */
function topologicalSort(nodes: ReadonlyMap<string, MutableNode>, supplyOrder: readonly string[]): string[] {
  const waiting = new Map<string, number>();
  const ready: string[] = [];
  for (const id of supplyOrder) {
    const node = nodes.get(id)!;
    const parents = node.downRevisions.length + node.dependsOn.length;
    if (parents === 0) ready.push(id);
    else waiting.set(id, parents);
  }
  ready.sort((a, b) => compareIds(b, a));
  const order: string[] = [];
  const released: string[] = [];
  while (ready.length > 0) {
    const id = ready.pop()!;
    order.push(id);
    const node = nodes.get(id)!;
    for (const group of [node.nextRevisions, node.dependents]) {
      for (const child of group) {
        const left = waiting.get(child)! - 1;
        waiting.set(child, left);
        if (left === 0) released.push(child);
      }
    }
    if (released.length > 1) released.sort((a, b) => compareIds(b, a));
    for (const child of released) ready.push(child);
    released.length = 0;
  }
  if (order.length < supplyOrder.length) throw new CycleError(findCycle(nodes, waiting));
  return order;
}

/** A cycle among the revisions Kahn's algorithm could not place, in upgrade order, starting at its smallest id. */
function findCycle(nodes: ReadonlyMap<string, MutableNode>, waiting: ReadonlyMap<string, number>): string[] {
  const blocked = (id: string) => (waiting.get(id) ?? 0) > 0;
  // Every blocked revision has a blocked parent, so walking down through blocked parents must come back on itself.
  let current = [...waiting.keys()].filter(blocked).sort(compareIds)[0]!;
  const path: string[] = [];
  const onPath = new Map<string, number>();
  while (!onPath.has(current)) {
    onPath.set(current, path.length);
    path.push(current);
    const node = nodes.get(current)!;
    current = [...node.downRevisions, ...node.dependsOn].filter(blocked).sort(compareIds)[0]!;
  }
  const cycle = path.slice(onPath.get(current)!).reverse();
  let start = 0;
  cycle.forEach((id, index) => {
    if (compareIds(id, cycle[start]!) < 0) start = index;
  });
  return [...cycle.slice(start), ...cycle.slice(0, start)];
}

/**
 * Alembic's branch membership: the labelled revision, all its descendants by down revision, and its ancestors down a
 * single line, stopping before a revision that is a branch point or a merge point.
 */
function branchMembers(nodes: ReadonlyMap<string, MutableNode>, owner: string): string[] {
  const members = new Set<string>([owner]);
  const pending = [owner];
  while (pending.length > 0) {
    for (const child of nodes.get(pending.pop()!)!.nextRevisions) {
      if (members.has(child)) continue;
      members.add(child);
      pending.push(child);
    }
  }
  let current = nodes.get(owner)!;
  while (current.downRevisions.length === 1) {
    const parent = nodes.get(current.downRevisions[0]!)!;
    if (parent.nextRevisions.length > 1 || parent.downRevisions.length > 1) break;
    members.add(parent.id);
    current = parent;
  }
  return [...members];
}
