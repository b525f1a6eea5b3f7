import {
  AmbiguousWalkError,
  BranchDowngradeError,
  MultipleHeadsError,
  OverlappingTargetsError,
  RelativeWalkError,
  RevisionNotOnBranchError,
  UnknownAppliedRevisionError,
} from './errors';
import { compareIds, spread, type RevisionGraph } from './graph';
import { parseTarget, type ParsedTarget } from './target';

/** One migration to run, and the version table's rows before and after it. */
export interface Step {
  readonly direction: 'up' | 'down';
  readonly revision: string;
  readonly headsBefore: readonly string[];
  readonly headsAfter: readonly string[];
}

/**
 * Where a target puts the database, by topological position:
 * - `revisions`: at these revisions. Upgrades to them when one is not applied; otherwise downgrades what is above them.
 * - `base`: below the bases (of one branch's ancestry when `branch` says so).
 * `branch` is the revision standing for `BRANCH@` (a label's revision, or the applied head a `-N` walked from):
 * when a downgrade could start on several branches, only those below it go (Alembic's rule).
 */
type Destination =
  | { readonly kind: 'revisions'; readonly revisions: readonly number[]; readonly branch: number | null }
  | { readonly kind: 'base'; readonly branch: number | null };

/**
 * Every revision applied when the version table holds `rows`: the rows and all their ancestors (dependencies
 * included), base first.
 */
export function appliedRevisions(graph: RevisionGraph, rows: readonly string[]): string[] {
  const applied = appliedMarks(graph, rows);
  return graph.positioned.ids.filter((_, position) => applied[position] === 1);
}

/**
 * The version table's rows for an applied set: applied revisions that no applied revision names as a down revision
 * or a dependency, sorted by id. A dependency is folded into its dependent's row, as Alembic does.
 */
export function appliedHeads(graph: RevisionGraph, applied: Iterable<string>): string[] {
  const marks = new Uint8Array(graph.size);
  for (const id of applied) marks[graph.positionOf(id)] = 1;
  return rowsOfMarks(graph, marks);
}

/** Applied revisions marked by topological position: the rows and everything below them. */
function appliedMarks(graph: RevisionGraph, rows: readonly string[]): Uint8Array {
  const applied = new Uint8Array(graph.size);
  const pending: number[] = [];
  for (const row of rows) {
    if (!graph.has(row)) throw new UnknownAppliedRevisionError(row);
    const position = graph.positionOf(row);
    applied[position] = 1;
    pending.push(position);
  }
  spread(applied, pending, graph.positioned.parents);
  return applied;
}

function rowsOfMarks(graph: RevisionGraph, applied: Uint8Array): string[] {
  const { ids, children } = graph.positioned;
  const rows: string[] = [];
  for (let position = 0; position < applied.length; position++) {
    if (applied[position] === 1 && !children[position]!.some((child) => applied[child] === 1)) rows.push(ids[position]!);
  }
  return rows.sort(compareIds);
}

/**
 * The ordered steps that move a database whose version table holds `rows` to `target` (text of the `--to` grammar or
 * a parsed target). A target that is not applied is upgraded to: it and every missing revision below it, down
 * revisions and dependencies first. A target that is applied (or `base`) is downgraded to, as Alembic's `downgrade`
 * does: the revisions just above it by down revision go, with everything applied above them by down revision or
 * dependency, newest first. Throws the resolution errors of `errors.ts`; returns no steps when there is nothing to do.
 */
export function planSteps(graph: RevisionGraph, rows: readonly string[], target: string | ParsedTarget): Step[] {
  const parsed = typeof target === 'string' ? parseTarget(target) : target;
  const applied = appliedMarks(graph, rows);
  const current = rowsOfMarks(graph, applied);
  const destination = resolveDestination(graph, current, applied, parsed);
  if (destination.kind === 'revisions' && destination.revisions.some((position) => applied[position] !== 1)) {
    return upgradeSteps(graph, current, collectBelow(graph, applied, destination.revisions));
  }
  const roots = downgradeRoots(graph, parsed.text, destination);
  return downgradeSteps(graph, applied, current, collectAbove(graph, applied, roots));
}

/**
 * The rows a version table holds after `migrate-stamp` to `targets` from `rows`, as Alembic's stamp computes them:
 * each target replaces the rows on its lineage (below or above it, dependencies included), `base` forms remove them,
 * and rows of unrelated branches stay. Targets of which one lies below another are refused.
 */
export function planStamp(
  graph: RevisionGraph,
  rows: readonly string[],
  targets: readonly (string | ParsedTarget)[],
): string[] {
  const applied = appliedMarks(graph, rows);
  const current = rowsOfMarks(graph, applied);
  const replaced = new Set<string>();
  const stamped: number[] = [];
  for (const target of targets) {
    const parsed = typeof target === 'string' ? parseTarget(target) : target;
    const destination = resolveDestination(graph, current, applied, parsed);
    const related =
      destination.kind === 'base' ? (destination.branch === null ? [] : [destination.branch]) : [...destination.revisions];
    if (destination.kind === 'revisions' && destination.branch !== null) related.push(destination.branch);
    if (related.length === 0) {
      for (const row of current) replaced.add(row);
    } else {
      const lineage = new Uint8Array(graph.size);
      for (const position of related) lineage[position] = 1;
      spread(lineage, [...related], graph.positioned.parents);
      spread(lineage, [...related], graph.positioned.children);
      for (const row of current) if (lineage[graph.positionOf(row)] === 1) replaced.add(row);
    }
    if (destination.kind === 'revisions') stamped.push(...destination.revisions);
  }
  refuseOverlaps(graph, stamped);
  const after = new Set(current.filter((row) => !replaced.has(row)));
  for (const position of stamped) after.add(graph.positioned.ids[position]!);
  return [...after].sort(compareIds);
}

/**
 * The revisions an absolute target names, whatever is applied (Alembic's `get_revisions`, for the generator's
 * `--head`): none for `base` and `LABEL@base`. Relative forms count from nothing applied.
 */
export function targetRevisions(graph: RevisionGraph, target: string | ParsedTarget): string[] {
  const parsed = typeof target === 'string' ? parseTarget(target) : target;
  const destination = resolveDestination(graph, [], new Uint8Array(graph.size), parsed);
  if (destination.kind === 'base') return [];
  return destination.revisions.map((position) => graph.positioned.ids[position]!);
}

/** Alembic's check that no requested revision lies below another (then one of them says nothing). */
function refuseOverlaps(graph: RevisionGraph, positions: readonly number[]): void {
  const unique = [...new Set(positions)];
  if (unique.length < 2) return;
  for (const position of unique) {
    const below = new Uint8Array(graph.size);
    spread(below, [position], graph.positioned.parents);
    const overlaps = unique.filter((other) => other !== position && below[other] === 1);
    if (overlaps.length > 0) {
      throw new OverlappingTargetsError(
        graph.positioned.ids[position]!,
        overlaps.map((other) => graph.positioned.ids[other]!).sort(compareIds),
      );
    }
  }
}

function resolveDestination(
  graph: RevisionGraph,
  rows: readonly string[],
  applied: Uint8Array,
  target: ParsedTarget,
): Destination {
  const { text, anchor, steps } = target;
  const branchId = target.branch === null ? null : graph.resolveBranch(target.branch);
  const branch = branchId === null ? null : graph.positionOf(branchId);
  const lineage = branchId === null ? null : graph.lineageOf(branchId);
  const ids = graph.positioned.ids;

  switch (anchor.kind) {
    case 'applied': {
      if (steps > 0) {
        return landing(walkUp(graph, text, appliedStart(graph, text, rows, applied, lineage), steps, lineage), branch);
      }
      // Downward from the applied head (of the branch): the branch then limits the downgrade, as in Alembic, where
      // `-N` takes the applied head itself as the branch.
      const start = appliedHead(graph, text, rows, applied, lineage, steps);
      return landing(walkDown(graph, text, start, -steps), branch ?? start);
    }
    case 'base': {
      if (steps < 0) throw new RelativeWalkError(text, null, steps, 0);
      if (steps > 0) return landing(walkUp(graph, text, null, steps, lineage), branch);
      return { kind: 'base', branch };
    }
    case 'head':
    case 'heads': {
      const heads = targetHeads(graph, anchor.kind, text, lineage);
      if (steps === 0) return { kind: 'revisions', revisions: heads, branch };
      if (heads.length !== 1) {
        const headIds = heads.map((position) => ids[position]!);
        throw new MultipleHeadsError(text, headIds, graph.labelSuggestions(headIds));
      }
      return relativeTo(graph, text, heads[0]!, steps, lineage, branch);
    }
    case 'revision': {
      // With a branch, a prefix need only be unique on its lineage (Alembic's `ebranch@some`).
      const position = graph.positionOf(graph.resolveReference(anchor.reference, lineage ?? undefined));
      // Alembic checks membership for `BRANCH@REV` and `BRANCH@REV-N`; `BRANCH@REV+N` only filters the walk up.
      if (lineage !== null && steps <= 0 && lineage[position] !== 1) {
        throw new RevisionNotOnBranchError(text, ids[position]!, target.branch!);
      }
      if (steps === 0) return { kind: 'revisions', revisions: [position], branch };
      return relativeTo(graph, text, position, steps, lineage, branch);
    }
  }
}

function relativeTo(
  graph: RevisionGraph,
  text: string,
  start: number,
  steps: number,
  lineage: Uint8Array | null,
  branch: number | null,
): Destination {
  return landing(steps > 0 ? walkUp(graph, text, start, steps, lineage) : walkDown(graph, text, start, -steps), branch);
}

function landing(position: number | null, branch: number | null): Destination {
  return position === null ? { kind: 'base', branch } : { kind: 'revisions', revisions: [position], branch };
}

/**
 * `head` / `heads`, or with a branch the heads on its lineage. `heads` alone is every revision nothing builds on
 * (Alembic's "real" heads: a head only depended upon is below its dependent).
 */
function targetHeads(
  graph: RevisionGraph,
  kind: 'head' | 'heads',
  text: string,
  lineage: Uint8Array | null,
): number[] {
  const { children } = graph.positioned;
  let heads = graph.heads().map((id) => graph.positionOf(id));
  if (lineage !== null) heads = heads.filter((position) => lineage[position] === 1);
  else if (kind === 'heads') heads = heads.filter((position) => children[position]!.length === 0);
  if (kind === 'head' && heads.length > 1) {
    const headIds = heads.map((position) => graph.positioned.ids[position]!);
    throw new MultipleHeadsError(text, headIds, graph.labelSuggestions(headIds));
  }
  return heads;
}

/**
 * Where `+N` / `BRANCH@+N` starts (Alembic's upgrade rules): the applied row (on the branch's lineage); when no row
 * is on it, the topmost applied revisions of the lineage; none: below the bases. Several: ambiguous.
 */
function appliedStart(
  graph: RevisionGraph,
  text: string,
  rows: readonly string[],
  applied: Uint8Array,
  lineage: Uint8Array | null,
): number | null {
  let starts = rows.map((row) => graph.positionOf(row));
  if (lineage !== null) {
    starts = starts.filter((position) => lineage[position] === 1);
    if (starts.length === 0) starts = topmost(graph, applied, lineage, graph.positioned.parents, true);
  }
  if (starts.length > 1) {
    throw new AmbiguousWalkError(text, 'applied-heads', null, starts.map((position) => graph.positioned.ids[position]!));
  }
  return starts[0] ?? null;
}

/**
 * Where `-N` / `BRANCH@-N` starts (Alembic's downgrade rules): the single applied row (on the branch's lineage), or
 * with a branch and no row on it, the applied revision of the lineage with no applied next revision.
 */
function appliedHead(
  graph: RevisionGraph,
  text: string,
  rows: readonly string[],
  applied: Uint8Array,
  lineage: Uint8Array | null,
  steps: number,
): number {
  let starts = rows.map((row) => graph.positionOf(row));
  if (lineage !== null) {
    starts = starts.filter((position) => lineage[position] === 1);
    if (starts.length === 0) starts = topmost(graph, applied, lineage, graph.positioned.down, false);
  }
  if (starts.length === 0) throw new RelativeWalkError(text, null, steps, 0);
  if (starts.length > 1) {
    throw new AmbiguousWalkError(text, 'applied-heads', null, starts.map((position) => graph.positioned.ids[position]!));
  }
  return starts[0]!;
}

/**
 * Applied revisions of a lineage that no other applied revision names along `edges` (only revisions of the lineage
 * count when `withinLineage`: Alembic's upgrade looks at the lineage's tips, its downgrade at the applied set's).
 */
function topmost(
  graph: RevisionGraph,
  applied: Uint8Array,
  lineage: Uint8Array,
  edges: readonly (readonly number[])[],
  withinLineage: boolean,
): number[] {
  const covered = new Uint8Array(graph.size);
  for (let position = 0; position < covered.length; position++) {
    if (applied[position] !== 1 || (withinLineage && lineage[position] !== 1)) continue;
    for (const parent of edges[position]!) covered[parent] = 1;
  }
  const found: number[] = [];
  for (let position = 0; position < covered.length; position++) {
    if (applied[position] === 1 && lineage[position] === 1 && covered[position] !== 1) found.push(position);
  }
  return found;
}

/**
 * Walks `steps` next revisions up from `start` (null: from below the bases), keeping to the lineage when given.
 * Stops with an error at a fork or past a head.
 */
function walkUp(
  graph: RevisionGraph,
  text: string,
  start: number | null,
  steps: number,
  lineage: Uint8Array | null,
): number {
  const { ids, next } = graph.positioned;
  let current = start;
  for (let taken = 0; taken < steps; taken++) {
    let candidates =
      current === null ? graph.bases().map((id) => graph.positionOf(id)) : next[current]!;
    if (lineage !== null) candidates = candidates.filter((position) => lineage[position] === 1);
    if (candidates.length === 0) {
      throw new RelativeWalkError(text, start === null ? null : ids[start]!, steps, taken);
    }
    if (candidates.length > 1) {
      const names = candidates.map((position) => ids[position]!).sort(compareIds);
      if (current === null) throw new AmbiguousWalkError(text, 'bases', null, names);
      throw new AmbiguousWalkError(text, 'branch-point', ids[current]!, names);
    }
    current = candidates[0]!;
  }
  return current!;
}

/**
 * Walks `steps` down revisions down from `start`; stepping below a base lands on base (null). A merge on the way,
 * or a step below base, is an error.
 */
function walkDown(graph: RevisionGraph, text: string, start: number, steps: number): number | null {
  const { ids, down } = graph.positioned;
  let current: number | null = start;
  for (let taken = 0; taken < steps; taken++) {
    if (current === null) throw new RelativeWalkError(text, ids[start]!, -steps, taken);
    const parents: readonly number[] = down[current]!;
    if (parents.length > 1) {
      throw new AmbiguousWalkError(text, 'merge-point', ids[current]!, parents.map((position) => ids[position]!).sort(compareIds));
    }
    current = parents.length === 0 ? null : parents[0]!;
  }
  return current;
}

/**
 * Alembic's downgrade roots: the next revisions of the target (every base for `base`). When they are on several
 * branches and the target names one, only the roots below that branch's revision.
 */
function downgradeRoots(graph: RevisionGraph, text: string, destination: Destination): number[] {
  const { down, next, ids } = graph.positioned;
  let roots: number[];
  if (destination.kind === 'base') {
    roots = [];
    for (let position = 0; position < down.length; position++) if (down[position]!.length === 0) roots.push(position);
  } else {
    roots = [...new Set(destination.revisions.flatMap((position) => next[position]!))];
  }
  if (destination.branch === null || roots.length < 2) return roots;
  const below = new Uint8Array(graph.size);
  below[destination.branch] = 1;
  spread(below, [destination.branch], down);
  const kept = roots.filter((position) => below[position] === 1);
  if (kept.length === 0) {
    throw new BranchDowngradeError(text, ids[destination.branch]!, roots.map((position) => ids[position]!).sort(compareIds));
  }
  return kept;
}

/** Applied revisions at or above `roots` by next revision or dependent, marked by position. */
function collectAbove(graph: RevisionGraph, applied: Uint8Array, roots: readonly number[]): Uint8Array {
  // Unapplied revisions are pre-marked so that the walk stays among applied ones: the applied set holds every
  // ancestor of its members, so everything applied above the roots is reachable through applied revisions only.
  const found = applied.map((isApplied) => isApplied ^ 1);
  const pending: number[] = [];
  for (const position of roots) {
    if (applied[position] !== 1 || found[position] === 1) continue;
    found[position] = 1;
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

function upgradeSteps(graph: RevisionGraph, initialRows: readonly string[], toApply: Uint8Array): Step[] {
  const { ids, parents } = graph.positioned;
  const rows = new Set(initialRows);
  let before: readonly string[] = Object.freeze([...initialRows]);
  const steps: Step[] = [];
  for (let position = 0; position < toApply.length; position++) {
    if (toApply[position] !== 1) continue;
    // A revision's row replaces the rows of its down revisions and dependencies (several for a merge).
    for (const parent of parents[position]!) rows.delete(ids[parent]!);
    rows.add(ids[position]!);
    const after = sortedRows(rows);
    steps.push(Object.freeze({ direction: 'up', revision: ids[position]!, headsBefore: before, headsAfter: after }));
    before = after;
  }
  return steps;
}

function downgradeSteps(
  graph: RevisionGraph,
  applied: Uint8Array,
  initialRows: readonly string[],
  toRevert: Uint8Array,
): Step[] {
  const { ids, parents, children } = graph.positioned;
  const current = applied.slice();
  const rows = new Set(initialRows);
  let before: readonly string[] = Object.freeze([...initialRows]);
  const steps: Step[] = [];
  for (let position = toRevert.length - 1; position >= 0; position--) {
    if (toRevert[position] !== 1) continue;
    current[position] = 0;
    rows.delete(ids[position]!);
    // A down revision or dependency gets its row back once nothing applied builds on it.
    for (const parent of parents[position]!) {
      if (!children[parent]!.some((child) => current[child] === 1)) rows.add(ids[parent]!);
    }
    const after = sortedRows(rows);
    steps.push(Object.freeze({ direction: 'down', revision: ids[position]!, headsBefore: before, headsAfter: after }));
    before = after;
  }
  return steps;
}

function sortedRows(rows: ReadonlySet<string>): readonly string[] {
  return Object.freeze(rows.size === 1 ? [...rows] : [...rows].sort(compareIds));
}
