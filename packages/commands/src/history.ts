import { existsSync } from 'node:fs';
import type { RevisionGraph } from '../../core/src/graph';
import { targetRevisions } from '../../core/src/plan';
import { locateProjectDatabase, readProjectMigrations, shownPath, type ProjectContext, type ProjectMigrations } from './context';
import { optionError, toUserError, UserError, type ErrorContext } from './errors';
import type { Reporter } from './reporter';
import { DEFAULT_LOCK_TIMEOUT_SECONDS, HISTORY_FORMATS, type HistoryFormat } from './options';

export { HISTORY_FORMATS, type HistoryFormat } from './options';

export interface HistoryOptions {
  /** `START:END`, each side a revision, `base`, `head`, `heads`, `current` or empty (all). */
  readonly range?: string;
  readonly verbose?: boolean;
  readonly format?: HistoryFormat;
  /**
   * Only these revisions, in full (Alembic's `show`): a revision, `head`, `heads`, `LABEL@head`... or `current` (the
   * database's rows).
   */
  readonly show?: string;
  /** Only the branch points, each with the revisions it branches into (Alembic's `branches`). */
  readonly branches?: boolean;
  /** Mark the database's current revision(s); default true. Off, no database is contacted. */
  readonly markCurrent?: boolean;
  readonly lockTimeoutSeconds?: number;
}

export interface HistoryEntryView {
  readonly revision: string;
  readonly downRevisions: readonly string[];
  readonly dependsOn: readonly string[];
  readonly branchLabels: readonly string[];
  readonly message: string;
  readonly file: string;
  readonly createDate?: string;
  readonly isHead: boolean;
  readonly isBase: boolean;
  readonly isMergePoint: boolean;
  readonly isBranchPoint: boolean;
  readonly current: boolean;
}

export interface HistoryResult {
  readonly success: boolean;
  /** Newest first. */
  readonly revisions: readonly HistoryEntryView[];
  /** The applied heads, when a database was reachable; `undefined` otherwise. */
  readonly current?: readonly string[];
  /** Why the current revision is not marked, when it is not. */
  readonly databaseNote?: string;
  readonly output: string;
}

/** `migrate-history`: the revision graph, newest first, current revision marked when the database answers. */
export async function history(
  context: ProjectContext,
  options: HistoryOptions,
  reporter: Reporter,
): Promise<HistoryResult> {
  const format = options.format ?? 'text';
  if (!HISTORY_FORMATS.includes(format)) {
    throw new UserError(
      `--format=${String(format)} is not known; use one of ${HISTORY_FORMATS.join(', ')}.`,
      { code: 'INVALID_FORMAT' },
    );
  }
  const requested = [options.range !== undefined && '--range', options.show !== undefined && '--show', options.branches && '--branches'];
  const chosenViews = requested.filter(Boolean);
  if (chosenViews.length > 1) {
    throw new UserError(`${chosenViews.join(' and ')} are different views; use one of them.`, { code: 'CONFLICTING_OPTIONS' });
  }
  const migrations = readProjectMigrations(context);
  const range = options.range !== undefined ? parseRange(options.range) : undefined;
  const showCurrent = options.show?.trim() === 'current';
  let current: string[] | undefined;
  let databaseNote: string | undefined;
  if (options.markCurrent !== false && (range?.usesCurrent || showCurrent || migrations.files.length > 0)) {
    ({ current, databaseNote } = await readCurrent(context, diagnosticsOf(reporter, format), options));
  }
  let selected: string[];
  if (options.show !== undefined) selected = selectShown(migrations.graph, options.show, current, context);
  else if (options.branches) selected = selectRange(migrations.graph, undefined, current).filter((id) => migrations.graph.get(id).isBranchPoint);
  else selected = selectRange(migrations.graph, range, current);
  const views = selected.map((revision) => viewOf(context, migrations, revision, current));
  const output =
    options.branches && format === 'text'
      ? renderBranches(views, migrations.graph, options.verbose ?? false)
      : renderHistory(views, migrations.graph, format, (options.verbose ?? false) || options.show !== undefined);
  if (databaseNote) reporter.warn(databaseNote);
  return { success: true, revisions: views, current, databaseNote, output };
}

async function readCurrent(
  context: ProjectContext,
  reporter: Reporter,
  options: HistoryOptions,
): Promise<{ current?: string[]; databaseNote?: string }> {
  try {
    const located = await locateProjectDatabase(context, reporter);
    // A fresh clone has no embedded database yet: nothing is applied, and history does not create one.
    if (located.target.source.kind === 'embedded' && !existsSync(located.target.source.dataDir)) return { current: [] };
    const database = await located.connect((options.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS) * 1000);
    try {
      return { current: await database.store.readHeads() };
    } finally {
      await database.close();
    }
  } catch (error) {
    return { databaseNote: `Current revision not marked: ${toUserError(error, context).message}` };
  }
}

interface HistoryRange {
  readonly start: string;
  readonly end: string;
  readonly usesCurrent: boolean;
}

export function parseRange(text: string): HistoryRange {
  const match = /^([A-Za-z0-9_@]*):([A-Za-z0-9_@]*)$/.exec(text.trim());
  if (!match) {
    throw new UserError(
      `--range=${text} is not START:END; write it like base:head, 3f2a:head, :current or 3f2a: (either side may be empty).`,
      { code: 'INVALID_RANGE' },
    );
  }
  return { start: match[1], end: match[2], usesCurrent: match[1] === 'current' || match[2] === 'current' };
}

/** Revisions from START (inclusive) up to END (inclusive), newest first. */
export function selectRange(
  graph: RevisionGraph,
  range: HistoryRange | undefined,
  current: readonly string[] | undefined,
): string[] {
  const all = [...graph.topologicalOrder()];
  if (!range) return all.reverse();
  // No bound: an empty side, base, head or heads (every revision lies between a base and a head).
  const endpoints = (side: string): string[] | undefined => {
    if (side === '' || side === 'base' || side === 'head' || side === 'heads') return undefined;
    if (side === 'current') {
      if (!current) {
        throw new UserError(
          '--range uses current, but the database could not be read; name a revision instead.',
          { code: 'CURRENT_UNKNOWN' },
        );
      }
      return [...current];
    }
    const labelled = /^(\w+)@head$/.exec(side);
    return [labelled ? graph.labelHead(labelled[1]) : graph.resolveRevision(side)];
  };
  const start = endpoints(range.start);
  const end = endpoints(range.end);
  let chosen = new Set(all);
  if (start) chosen = new Set(graph.descendants(start, { inclusive: true }).filter((id) => chosen.has(id)));
  if (end) {
    const below = new Set(graph.ancestors(end, { inclusive: true }));
    chosen = new Set([...chosen].filter((id) => below.has(id)));
  }
  return all.filter((id) => chosen.has(id)).reverse();
}

/** The revisions `--show` names: any absolute form of the `--to` grammar, or `current`. */
export function selectShown(
  graph: RevisionGraph,
  text: string,
  current: readonly string[] | undefined,
  context: ErrorContext = {},
): string[] {
  if (text.trim() === 'current') {
    if (!current) {
      throw new UserError('--show=current needs the database, which could not be read; name a revision instead.', {
        code: 'CURRENT_UNKNOWN',
      });
    }
    return [...current];
  }
  try {
    const revisions = targetRevisions(graph, text);
    if (revisions.length === 0) {
      throw new UserError(`--show=${text} names no revision; name a revision, head or LABEL@head.`, { code: 'REVISION_NOT_FOUND' });
    }
    return revisions;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw optionError(`--show=${text}`, error, context);
  }
}

/**
 * Alembic's `branches` view: each branch point, then one line per revision it branches into. The message of those
 * follows only with `verbose`, as in Alembic.
 */
export function renderBranches(views: readonly HistoryEntryView[], graph: RevisionGraph, verbose: boolean): string {
  if (views.length === 0) return 'No branch points.';
  return views
    .map((view) => {
      const lines = [verbose ? renderVerbose(view) : renderLine(view)];
      for (const next of graph.get(view.revision).nextRevisions) {
        const revision = graph.get(next);
        const marks = [revision.isHead && '(head)', revision.branchLabels.length > 0 && `(${revision.branchLabels.join(', ')})`]
          .filter(Boolean)
          .join(' ');
        lines.push(
          `${' '.repeat(view.revision.length)} -> ${next}${marks ? ` ${marks}` : ''}${verbose ? `, ${revision.message}` : ''}`,
        );
      }
      return lines.join('\n');
    })
    .join('\n\n');
}

function viewOf(
  context: ProjectContext,
  migrations: ProjectMigrations,
  revision: string,
  current: readonly string[] | undefined,
): HistoryEntryView {
  const node = migrations.graph.get(revision);
  const file = migrations.byRevision.get(revision);
  const createDate = file ? /Create Date:\s*(\S+)/.exec(file.text)?.[1] : undefined;
  return {
    revision,
    downRevisions: node.downRevisions,
    dependsOn: node.dependsOn,
    branchLabels: node.branchLabels,
    message: node.message,
    file: file ? shownPath(context, file.file) : '',
    ...(createDate && { createDate }),
    isHead: node.isHead,
    isBase: node.isBase,
    isMergePoint: node.isMergePoint,
    isBranchPoint: node.isBranchPoint,
    current: current?.includes(revision) ?? false,
  };
}

function tags(view: HistoryEntryView): string {
  return [
    view.isHead && '(head)',
    view.current && '(current)',
    view.isMergePoint && '(mergepoint)',
    view.isBranchPoint && '(branchpoint)',
    view.branchLabels.length > 0 && `(${view.branchLabels.join(', ')})`,
  ]
    .filter(Boolean)
    .join(' ');
}

function parents(view: HistoryEntryView): string {
  if (view.downRevisions.length === 0) return '<base>';
  return view.downRevisions.length === 1 ? view.downRevisions[0] : `(${view.downRevisions.join(', ')})`;
}

export function renderHistory(
  views: readonly HistoryEntryView[],
  graph: RevisionGraph,
  format: HistoryFormat,
  verbose: boolean,
): string {
  switch (format) {
    case 'json':
      return JSON.stringify(views, null, 2);
    case 'mermaid':
      return renderMermaid(views);
    case 'graph':
      return renderGraph(views, graph);
    case 'text':
      if (views.length === 0) return 'No migrations yet.';
      return verbose ? views.map(renderVerbose).join('\n\n') : views.map(renderLine).join('\n');
  }
}

function renderLine(view: HistoryEntryView): string {
  const tagText = tags(view);
  return `${parents(view)} -> ${view.revision}${tagText ? ` ${tagText}` : ''}, ${view.message}`;
}

function renderVerbose(view: HistoryEntryView): string {
  const lines = [
    `Rev: ${view.revision}${tags(view) ? ` ${tags(view)}` : ''}`,
    `Parent: ${parents(view)}`,
    ...(view.dependsOn.length > 0 ? [`Depends on: ${view.dependsOn.join(', ')}`] : []),
    ...(view.branchLabels.length > 0 ? [`Branch labels: ${view.branchLabels.join(', ')}`] : []),
    `Path: ${view.file}`,
    '',
    ...view.message.split('\n').map((line) => `    ${line}`),
    ...(view.createDate ? ['', `    Create Date: ${view.createDate}`] : []),
  ];
  return lines.join('\n');
}

function renderMermaid(views: readonly HistoryEntryView[]): string {
  const shown = new Set(views.map((view) => view.revision));
  const label = (text: string) => text.replace(/["<>]/g, "'");
  const lines = ['flowchart BT'];
  for (const view of [...views].reverse()) {
    const marks = [view.isHead && 'head', view.current && 'current'].filter(Boolean).join(', ');
    lines.push(`  r_${view.revision}["${view.revision}${marks ? ` (${marks})` : ''}<br/>${label(view.message)}"]`);
  }
  for (const view of [...views].reverse()) {
    for (const parent of view.downRevisions) if (shown.has(parent)) lines.push(`  r_${parent} --> r_${view.revision}`);
    for (const dependency of view.dependsOn) if (shown.has(dependency)) lines.push(`  r_${dependency} -.-> r_${view.revision}`);
  }
  const current = views.filter((view) => view.current);
  if (current.length > 0) {
    lines.push('  classDef current stroke-width:3px,stroke:#2b8a3e');
    lines.push(`  class ${current.map((view) => `r_${view.revision}`).join(',')} current`);
  }
  return lines.join('\n');
}

/**
 * A `git log --graph`-style drawing, newest first: one column per line of descent, `*` on the revision's column,
 * `|` on the others; a merge opens a column per extra parent.
 */
function renderGraph(views: readonly HistoryEntryView[], graph: RevisionGraph): string {
  if (views.length === 0) return 'No migrations yet.';
  const shown = new Set(views.map((view) => view.revision));
  const columns: (string | undefined)[] = [];
  const lines: string[] = [];
  for (const view of views) {
    let column = columns.indexOf(view.revision);
    if (column === -1) {
      column = columns.indexOf(undefined);
      if (column === -1) column = columns.push(undefined) - 1;
    }
    // Other columns waiting for this same revision (a branch point) end here.
    for (let other = 0; other < columns.length; other++) {
      if (other !== column && columns[other] === view.revision) columns[other] = undefined;
    }
    const cells = columns.map((expected, index) => (index === column ? '*' : expected ? '|' : ' '));
    if (column >= cells.length) cells.push('*');
    const tagText = tags(view);
    lines.push(`${cells.join(' ').trimEnd()}  ${view.revision}${tagText ? ` ${tagText}` : ''} ${view.message}`.trimEnd());
    const nextParents = graph.get(view.revision).downRevisions.filter((parent) => shown.has(parent));
    columns[column] = nextParents[0];
    for (const parent of nextParents.slice(1)) {
      if (columns.includes(parent)) continue;
      const free = columns.indexOf(undefined);
      if (free === -1) columns.push(parent);
      else columns[free] = parent;
    }
    while (columns.length > 0 && columns[columns.length - 1] === undefined) columns.pop();
  }
  return lines.join('\n');
}

/**
 * `json` and `mermaid` output is piped into other tools (`jq`, a Markdown file): there the `Database: ...` line goes
 * with the warnings, so that the output proper is the only thing on stdout.
 */
function diagnosticsOf(reporter: Reporter, format: HistoryFormat): Reporter {
  if (format !== 'json' && format !== 'mermaid') return reporter;
  return { info: (line) => reporter.warn(line), warn: (line) => reporter.warn(line), step: (outcome) => reporter.step(outcome) };
}
