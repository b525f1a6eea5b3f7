import { AmbiguousWalkError, MultipleHeadsError, RelativeWalkError, UnknownAppliedRevisionError } from './errors';
import { compareIds, type RevisionGraph } from './graph';
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
  return graph.sortTopologically(appliedSet(graph, heads));
}

/** The heads of an applied set: applied revisions with no applied next revision, sorted by id. */
export function appliedHeads(graph: RevisionGraph, applied: ReadonlySet<string>): string[] {
  const heads: string[] = [];
  for (const id of applied) {
    if (!graph.get(id).nextRevisions.some((next) => applied.has(next))) heads.push(id);
  }
  return heads.sort(compareIds);
}

function appliedSet(graph: RevisionGraph, heads: readonly string[]): Set<string> {
  const applied = new Set<string>();
  const pending: string[] = [];
  for (const head of heads) {
    if (!graph.has(head)) throw new UnknownAppliedRevisionError(head);
    if (!applied.has(head)) {
      applied.add(head);
      pending.push(head);
    }
  }
  while (pending.length > 0) {
    const revision = graph.get(pending.pop()!);
    for (const group of [revision.downRevisions, revision.dependsOn]) {
      for (const parent of group) {
        if (applied.has(parent)) continue;
        applied.add(parent);
        pending.push(parent);
      }
    }
  }
  return applied;
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
  const applied = appliedSet(graph, appliedHeadIds);
  const heads = appliedHeads(graph, applied);
  const destination = resolveDestination(graph, heads, parsed);

  if ('below' in destination) {
    return downgradeSteps(graph, applied, heads, collectAbove(graph, applied, destination.below, true));
  }
  const { revisions } = destination;
  if (revisions.every((id) => applied.has(id))) {
    const above = collectAbove(graph, applied, revisions, false);
    if (revisions.length > 1) {
      // A walk down from a merge lands on its parents; one parent may be an ancestor of another.
      for (const kept of graph.ancestors(revisions, { inclusive: true })) above.delete(kept);
    }
    return downgradeSteps(graph, applied, heads, above);
  }
  return upgradeSteps(graph, heads, collectBelow(graph, applied, revisions));
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
  if (steps === 1) return { revisions: [bases[0]!] };
  return walk(graph, text, bases[0]!, steps - 1, steps);
}

/**
 * Walks `steps` revisions up (next revisions) or down (down revisions) from `start`. Up stops with an error at a
 * branch point; down may end on the parents of a merge, or below a base, but may not pass through either.
 * @param reportedSteps the step count the user asked for, when the walk started one step early (from below a base)
 */
function walk(graph: RevisionGraph, text: string, start: string, steps: number, reportedSteps = steps): Destination {
  const offset = reportedSteps - steps;
  let current = start;
  if (steps > 0) {
    for (let taken = 0; taken < steps; taken++) {
      const next = graph.get(current).nextRevisions;
      if (next.length === 0)
        throw new RelativeWalkError(text, offset > 0 ? null : start, reportedSteps, taken + offset);
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

/** Applied revisions above `from` (and `from` itself when `inclusive`), following every edge. */
function collectAbove(
  graph: RevisionGraph,
  applied: ReadonlySet<string>,
  from: readonly string[],
  inclusive: boolean,
): Set<string> {
  const found = new Set<string>();
  const pending: string[] = [];
  for (const id of from) {
    if (inclusive && applied.has(id) && !found.has(id)) found.add(id);
    pending.push(id);
  }
  // The applied set contains every ancestor of its members, so the walk never needs to leave it.
  while (pending.length > 0) {
    const revision = graph.get(pending.pop()!);
    for (const group of [revision.nextRevisions, revision.dependents]) {
      for (const child of group) {
        if (!applied.has(child) || found.has(child)) continue;
        found.add(child);
        pending.push(child);
      }
    }
  }
  return found;
}

/** Revisions not yet applied that `to` needs: themselves and their unapplied ancestors, following every edge. */
function collectBelow(graph: RevisionGraph, applied: ReadonlySet<string>, to: readonly string[]): Set<string> {
  const found = new Set<string>();
  const pending: string[] = [];
  for (const id of to) {
    if (applied.has(id) || found.has(id)) continue;
    found.add(id);
    pending.push(id);
  }
  while (pending.length > 0) {
    const revision = graph.get(pending.pop()!);
    for (const group of [revision.downRevisions, revision.dependsOn]) {
      for (const parent of group) {
        if (applied.has(parent) || found.has(parent)) continue;
        found.add(parent);
        pending.push(parent);
      }
    }
  }
  return found;
}

function upgradeSteps(graph: RevisionGraph, initialHeads: readonly string[], toApply: ReadonlySet<string>): Step[] {
  const heads = new Set(initialHeads);
  let before: readonly string[] = Object.freeze([...initialHeads]);
  const steps: Step[] = [];
  for (const id of graph.sortTopologically(toApply)) {
    // A revision replaces its down revisions as a head (several of them for a merge); dependencies stay heads.
    for (const down of graph.get(id).downRevisions) heads.delete(down);
    heads.add(id);
    const after = Object.freeze([...heads].sort(compareIds));
    steps.push(Object.freeze({ direction: 'up', revision: id, headsBefore: before, headsAfter: after }));
    before = after;
  }
  return steps;
}

function downgradeSteps(
  graph: RevisionGraph,
  applied: ReadonlySet<string>,
  initialHeads: readonly string[],
  toRevert: ReadonlySet<string>,
): Step[] {
  const current = new Set(applied);
  const heads = new Set(initialHeads);
  let before: readonly string[] = Object.freeze([...initialHeads]);
  const steps: Step[] = [];
  for (const id of graph.sortTopologically(toRevert).reverse()) {
    current.delete(id);
    heads.delete(id);
    // A down revision becomes a head again once none of its next revisions is applied (both parents of a merge).
    for (const down of graph.get(id).downRevisions) {
      if (!graph.get(down).nextRevisions.some((next) => current.has(next))) heads.add(down);
    }
    const after = Object.freeze([...heads].sort(compareIds));
    steps.push(Object.freeze({ direction: 'down', revision: id, headsBefore: before, headsAfter: after }));
    before = after;
  }
  return steps;
}
