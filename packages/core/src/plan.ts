import { AmbiguousWalkError, MultipleHeadsError, RelativeWalkError, UnknownAppliedRevisionError } from './errors';
import { compareIds, spread, type RevisionGraph } from './graph';
import { parseTarget, type ParsedTarget } from './target';

/** One migration to run, and the applied heads (the version table's rows) before and after it. */
export interface Step {
  readonly direction: 'up' | 'down';
  readonly revision: string;
  readonly headsBefore: readonly string[];
  readonly headsAfter: readonly string[];
}

/**
 * Where a target puts the database:
 * - `revisions`: at these revisions. Upgrades to them when one is not applied; otherwise downgrades everything
 *   applied above them.
 * - `below`: below these revisions: they and everything above them are downgraded (`base`, `LABEL@base`, or a
 *   relative walk past a base).
 */
type Destination = { readonly revisions: readonly string[] } | { readonly below: readonly string[] };

/** Every revision applied when the version table holds `heads`: the heads and all their ancestors, base first. */
export function appliedRevisions(graph: RevisionGraph, heads: readonly string[]): string[] {
  const applied = appliedMarks(graph, heads);
  return graph.positioned.ids.filter((_, position) => applied[position] === 1);
}

/** The heads of an applied set: applied revisions with no applied next revision, sorted by id. */
export function appliedHeads(graph: RevisionGraph, applied: Iterable<string>): string[] {
  const marks = new Uint8Array(graph.size);
  for (const id of applied) marks[graph.positionOf(id)] = 1;
  return headsOfMarks(graph, marks);
}

/** Applied revisions marked by topological position: the heads and everything below them. */
function appliedMarks(graph: RevisionGraph, heads: readonly string[]): Uint8Array {
  const applied = new Uint8Array(graph.size);
  const pending: number[] = [];
  for (const head of heads) {
    if (!graph.has(head)) throw new UnknownAppliedRevisionError(head);
    const position = graph.positionOf(head);
    applied[position] = 1;
    pending.push(position);
  }
  spread(applied, pending, graph.positioned.parents);
  return applied;
}

function headsOfMarks(graph: RevisionGraph, applied: Uint8Array): string[] {
  const { ids, next } = graph.positioned;
  const heads: string[] = [];
  for (let position = 0; position < applied.length; position++) {
    if (applied[position] === 1 && !next[position]!.some((child) => applied[child] === 1)) heads.push(ids[position]!);
  }
  return heads.sort(compareIds);
}

/**
 * The ordered steps that move a database whose version table holds `appliedHeadIds` to `target` (text of the
 * `--to` grammar or a parsed target). Upgrades apply down revisions and `dependsOn` first; downgrades run in the
 * reverse order. A target already applied means "downgrade what is above it"; any other target means "upgrade to it".
 * Throws the resolution errors of `errors.ts`; returns no steps when the database is already there.
 */
export function planSteps(
  graph: RevisionGraph,
  appliedHeadIds: readonly string[],
  target: string | ParsedTarget,
): Step[] {
  const parsed = typeof target === 'string' ? parseTarget(target) : target;
  const applied = appliedMarks(graph, appliedHeadIds);
  const heads = headsOfMarks(graph, applied);
  const destination = resolveDestination(graph, heads, parsed);

  if ('below' in destination) {
    return downgradeSteps(graph, applied, heads, collectAbove(graph, applied, destination.below, true));
  }
  const positions = destination.revisions.map((id) => graph.positionOf(id));
  if (positions.every((position) => applied[position] === 1)) {
    const above = collectAbove(graph, applied, destination.revisions, false);
    if (positions.length > 1) {
      // A walk down from a merge lands on its parents; one parent may be an ancestor of another.
      for (const kept of graph.ancestors(destination.revisions, { inclusive: true })) above[graph.positionOf(kept)] = 0;
    }
    return downgradeSteps(graph, applied, heads, above);
  }
  return upgradeSteps(graph, heads, collectBelow(graph, applied, positions));
}

function resolveDestination(graph: RevisionGraph, heads: readonly string[], target: ParsedTarget): Destination {
  switch (target.kind) {
    case 'head': {
      const graphHeads = graph.heads();
      if (graphHeads.length > 1) {
        throw new MultipleHeadsError(target.text, graphHeads, graph.labelSuggestions(graphHeads));
      }
      return { revisions: graphHeads };
    }
    case 'heads':
      return { revisions: graph.heads() };
    case 'base':
      return { below: graph.bases() };
    case 'revision':
      return { revisions: [graph.resolveRevision(target.reference)] };
    case 'revision-relative':
      return walk(graph, target.text, graph.resolveRevision(target.reference), target.steps);
    case 'label-head':
      return { revisions: [graph.labelHead(target.label, target.text)] };
    case 'label-base':
      return { below: [graph.branchBase(target.label)] };
    case 'relative':
      return walkFromApplied(graph, target.text, heads, graph.bases(), target.steps);
    case 'label-relative': {
      const members = graph.branchRevisions(target.label);
      const branchHeads = heads.filter((id) => graph.labelsOf(id).includes(target.label));
      return walkFromApplied(graph, target.text, branchHeads, [members[0]!], target.steps);
    }
  }
}

/**
 * A relative walk from the applied heads (of the whole graph, or of one branch): exactly one applied head, or none
 * (then an upward walk starts below the base).
 */
function walkFromApplied(
  graph: RevisionGraph,
  text: string,
  heads: readonly string[],
  bases: readonly string[],
  steps: number,
): Destination {
  if (heads.length > 1) throw new AmbiguousWalkError(text, 'applied-heads', null, heads);
  if (heads.length === 1) return walk(graph, text, heads[0]!, steps);
  if (steps < 0) throw new RelativeWalkError(text, null, steps, 0);
  if (bases.length === 0) throw new RelativeWalkError(text, null, steps, 0);
  if (bases.length > 1) throw new AmbiguousWalkError(text, 'bases', null, bases);
  // Nothing applied (on this branch): the first step lands on the base.
  return walk(graph, text, bases[0]!, steps - 1, 1);
}

/**
 * Walks `steps` revisions up (next revisions) or down (down revisions) from `start`. Up stops with an error at a
 * branch point; down may end on the parents of a merge, or below a base, but may not pass through either.
 * @param stepsBefore steps already taken to reach `start` (1 when an upward walk began below the base: errors then
 *   count from there)
 */
function walk(graph: RevisionGraph, text: string, start: string, steps: number, stepsBefore = 0): Destination {
  let current = start;
  if (steps >= 0) {
    for (let taken = 0; taken < steps; taken++) {
      const next = graph.get(current).nextRevisions;
      if (next.length === 0) {
        throw new RelativeWalkError(text, stepsBefore > 0 ? null : start, steps + stepsBefore, taken + stepsBefore);
      }
      if (next.length > 1) throw new AmbiguousWalkError(text, 'branch-point', current, next);
      current = next[0]!;
    }
    return { revisions: [current] };
  }
  const wanted = -steps;
  for (let taken = 0; taken < wanted; taken++) {
    const down = graph.get(current).downRevisions;
    const last = taken === wanted - 1;
    if (down.length === 0) {
      if (last) return { below: [current] };
      throw new RelativeWalkError(text, start, steps, taken + 1);
    }
    if (down.length > 1) {
      if (last) return { revisions: down };
      throw new AmbiguousWalkError(text, 'merge-point', current, down);
    }
    current = down[0]!;
  }
  return { revisions: [current] };
}

/** Applied revisions above `from` (and `from` itself when `inclusive`), following every edge, marked by position. */
function collectAbove(
  graph: RevisionGraph,
  applied: Uint8Array,
  from: readonly string[],
  inclusive: boolean,
): Uint8Array {
  // Unapplied revisions are pre-marked so that the walk stays among applied ones: the applied set holds every
  // ancestor of its members, so everything applied above `from` is reachable through applied revisions only.
  const found = applied.map((isApplied) => isApplied ^ 1);
  const pending: number[] = [];
  for (const id of from) {
    const position = graph.positionOf(id);
    if (applied[position] !== 1) continue;
    if (inclusive) found[position] = 1;
    pending.push(position);
  }
  spread(found, pending, graph.positioned.children);
  for (let position = 0; position < found.length; position++) found[position]! &= applied[position]!;
  return found;
}

/** Revisions not yet applied that `to` needs, marked by position: themselves and their unapplied ancestors. */
function collectBelow(graph: RevisionGraph, applied: Uint8Array, to: readonly number[]): Uint8Array {
  // Marking the applied revisions as already found stops the walk at them.
  const found = applied.slice();
  const pending: number[] = [];
  for (const position of to) {
    if (found[position] === 1) continue;
    found[position] = 1;
    pending.push(position);
  }
  spread(found, pending, graph.positioned.parents);
  for (let position = 0; position < found.length; position++) found[position]! &= ~applied[position]!;
  return found;
}

function upgradeSteps(graph: RevisionGraph, initialHeads: readonly string[], toApply: Uint8Array): Step[] {
  const { ids, down } = graph.positioned;
  const heads = new Set(initialHeads);
  let before: readonly string[] = Object.freeze([...initialHeads]);
  const steps: Step[] = [];
  for (let position = 0; position < toApply.length; position++) {
    if (toApply[position] !== 1) continue;
    // A revision replaces its down revisions as a head (several of them for a merge); dependencies stay heads.
    for (const parent of down[position]!) heads.delete(ids[parent]!);
    heads.add(ids[position]!);
    const after = sortedHeads(heads);
    steps.push(Object.freeze({ direction: 'up', revision: ids[position]!, headsBefore: before, headsAfter: after }));
    before = after;
  }
  return steps;
}

function downgradeSteps(
  graph: RevisionGraph,
  applied: Uint8Array,
  initialHeads: readonly string[],
  toRevert: Uint8Array,
): Step[] {
  const { ids, down, next } = graph.positioned;
  const current = applied.slice();
  const heads = new Set(initialHeads);
  let before: readonly string[] = Object.freeze([...initialHeads]);
  const steps: Step[] = [];
  for (let position = toRevert.length - 1; position >= 0; position--) {
    if (toRevert[position] !== 1) continue;
    current[position] = 0;
    heads.delete(ids[position]!);
    // A down revision becomes a head again once none of its next revisions is applied (both parents of a merge).
    for (const parent of down[position]!) {
      if (!next[parent]!.some((child) => current[child] === 1)) heads.add(ids[parent]!);
    }
    const after = sortedHeads(heads);
    steps.push(Object.freeze({ direction: 'down', revision: ids[position]!, headsBefore: before, headsAfter: after }));
    before = after;
  }
  return steps;
}

function sortedHeads(heads: ReadonlySet<string>): readonly string[] {
  return Object.freeze(heads.size === 1 ? [...heads] : [...heads].sort(compareIds));
}
