import { existsSync, writeFileSync } from 'node:fs';
import type { RevisionGraph } from '../../core/src/graph';
import { rewriteDownRevision } from '../../core/src/migration-file';
import type { MigrationFile } from '../../adapters/src/fs/migration-directory';
import { fileAuthors } from '../../adapters/src/git/git-history';
import { locateProjectDatabase, readProjectMigrations, type ProjectContext } from './context';
import { optionError, routeOf, toUserError, UserError } from './errors';
import { commandFor } from './route';
import { RebaseOfAppliedError, RebaseOfBaseError } from './refusals';
import type { PlannedRevisionFile } from './merge';
import type { Reporter } from './reporter';

/**
 * `rebase`: the revisions that exist only on one branch are put on top of the other head, by rewriting the down
 * revision of the branch's first revision(s) and nothing else, so history is linear again. The alternative to a
 * merge revision when the branch has not reached any shared database yet.
 */

export interface RebaseOptions {
  /** The head that stays where it is (id, prefix or label). Default: the other head. */
  readonly onto?: string;
  /** The head whose branch moves (id, prefix or label). Default: the branch whose files are newest in git. */
  readonly branch?: string;
}

export interface RebasePlan {
  readonly onto: string;
  readonly branch: string;
  /** The revisions that move with the branch, base first. */
  readonly moved: readonly string[];
  /** The rewritten files: only the revisions whose down revision changes. */
  readonly files: readonly PlannedRevisionFile[];
}

export interface RebasePlanInput {
  readonly projectName: string;
  readonly workspaceRoot: string;
  readonly graph: RevisionGraph;
  readonly migrations: readonly MigrationFile[];
}

export function planRebase(input: RebasePlanInput, options: RebaseOptions): RebasePlan {
  const { graph } = input;
  const heads = graph.heads();
  if (heads.length < 2) {
    throw new UserError(
      `Project ${input.projectName} has a single head (${heads.join(', ') || 'no revisions yet'}); history is already linear.`,
      { code: 'NOTHING_TO_REBASE' },
    );
  }
  const onto = options.onto === undefined ? undefined : resolveHead(input, options.onto, '--onto');
  const branch = options.branch === undefined ? undefined : resolveHead(input, options.branch, '--branch');
  if (onto !== undefined && onto === branch) {
    throw new UserError(
      `--onto and --branch both name ${onto}; name two different heads.`,
      { code: 'SAME_HEAD_TWICE' },
    );
  }
  const [chosenOnto, chosenBranch] = chooseHeads(input, onto, branch);
  const ontoAncestors = new Set(graph.ancestors([chosenOnto], { inclusive: true, dependencies: false }));
  const moved = graph
    .ancestors([chosenBranch], { inclusive: true, dependencies: false })
    .filter((id) => !ontoAncestors.has(id));
  const byRevision = new Map(input.migrations.map((migration) => [migration.revision, migration]));
  const files: PlannedRevisionFile[] = [];
  for (const revision of moved) {
    const { downRevisions } = graph.get(revision);
    if (downRevisions.length === 0) {
      throw new RebaseOfBaseError(revision, chosenOnto);
    }
    if (downRevisions.every((down) => moved.includes(down))) continue;
    const newDownRevisions = [...new Set(downRevisions.map((down) => (moved.includes(down) ? down : chosenOnto)))];
    const migration = byRevision.get(revision);
    if (!migration) {
      throw new UserError(`Revision ${revision} has no migration file to rewrite.`, { code: 'NO_MIGRATION_FILE' });
    }
    files.push({
      revision,
      path: migration.file,
      content: rewriteDownRevision(migration.text, newDownRevisions, migration.file),
    });
  }
  return { onto: chosenOnto, branch: chosenBranch, moved, files };
}

function resolveHead(input: RebasePlanInput, text: string, option: string): string {
  const { graph } = input;
  let revision: string;
  try {
    revision = graph.resolveRevision(text);
  } catch (error) {
    throw optionError(option, error, input);
  }
  if (!graph.get(revision).isHead) {
    throw new UserError(
      `${option}=${text}: revision ${revision} is not a head; the heads are ${graph.heads().join(', ')}.`,
      { code: 'NOT_A_HEAD' },
    );
  }
  return revision;
}

/** [onto, branch]: whatever was given, the other head when there are two, else the newest branch moves. */
function chooseHeads(input: RebasePlanInput, onto?: string, branch?: string): [string, string] {
  const heads = input.graph.heads();
  if (onto !== undefined && branch !== undefined) return [onto, branch];
  if (heads.length > 2) {
    throw new UserError(
      `Project ${input.projectName} has ${heads.length} heads (${heads.join(', ')}); name the head that stays with ` +
        `--onto and the one to move with --branch, or merge them all with ${commandFor(routeOf(input), 'merge', '-m "..."')}.`,
      { code: 'HEADS_UNNAMED' },
    );
  }
  const other = (head: string): string => heads.find((candidate) => candidate !== head)!;
  if (onto !== undefined) return [onto, other(onto)];
  if (branch !== undefined) return [other(branch), branch];
  const [first, second] = heads;
  const firstAge = newestFileTime(input, first, second);
  const secondAge = newestFileTime(input, second, first);
  if (firstAge === secondAge) {
    throw new UserError(
      `Cannot tell which of the heads ${first} and ${second} is your branch from git; pass --branch=<the head to move>.`,
      { code: 'BRANCH_UNKNOWN' },
    );
  }
  return firstAge > secondAge ? [second, first] : [first, second];
}

/**
 * When the newest migration file only on `head`'s side was added to git (milliseconds); a file not committed yet
 * counts as newest of all: it is what the developer running rebase just wrote.
 */
function newestFileTime(input: RebasePlanInput, head: string, otherHead: string): number {
  const otherSide = new Set(input.graph.ancestors([otherHead], { inclusive: true, dependencies: false }));
  const own = input.graph
    .ancestors([head], { inclusive: true, dependencies: false })
    .filter((id) => !otherSide.has(id));
  const files = input.migrations.filter((migration) => own.includes(migration.revision)).map((m) => m.file);
  const authors = fileAuthors(input.workspaceRoot, files);
  return Math.max(...files.map((file) => authors.get(file)?.date.getTime() ?? Number.POSITIVE_INFINITY));
}

/**
 * Refuses the plan when a reachable database records one of the moved revisions as applied: rewriting its down
 * revision would leave that database on a revision the graph no longer places where it ran.
 */
export function refuseAppliedRevisions(
  plan: RebasePlan,
  applied: ReadonlySet<string>,
  databaseDescription: string,
): void {
  const appliedMoved = plan.moved.filter((revision) => applied.has(revision));
  if (appliedMoved.length === 0) return;
  throw new RebaseOfAppliedError(appliedMoved, databaseDescription, plan.moved[0]);
}

export interface RebaseResult extends RebasePlan {
  /** What was learnt from the project's database: checked, or why not. */
  readonly databaseNote: string;
}

/**
 * Plans the rebase, asks the project's database (DATABASE_URL, the data source's own, or the embedded one when it
 * exists) which revisions it has applied and refuses if one of the moved revisions is among them, then rewrites the
 * files. An unreachable database is noted, not fatal: other developers' databases cannot be asked either.
 */
export async function rebase(
  context: ProjectContext,
  options: RebaseOptions,
  reporter: Reporter,
): Promise<RebaseResult> {
  const { graph, files } = readProjectMigrations(context);
  const plan = planRebase({ ...context, graph, migrations: files }, options);
  const databaseNote = await refuseIfApplied(context, plan, graph, reporter);
  for (const file of plan.files) writeFileSync(file.path, file.content);
  return { ...plan, databaseNote };
}

/**
 * Asks the project's database which revisions it has applied and throws when a moved one is among them; returns
 * what was learnt (checked, no local database yet, or unreachable).
 */
export async function refuseIfApplied(
  context: ProjectContext,
  plan: RebasePlan,
  graph: RevisionGraph,
  reporter: Reporter,
): Promise<string> {
  const located = await locateProjectDatabase(context, reporter);
  const where = located.target.description.replace(/^Database: /, '');
  const { source } = located.target;
  if (source.kind === 'embedded' && !existsSync(source.dataDir)) return `no local database yet (${where})`;
  let heads: string[];
  try {
    const database = await located.connect(10_000);
    try {
      heads = await database.store.readHeads();
    } finally {
      await database.close();
    }
  } catch (error) {
    return `could not reach ${where} (${toUserError(error).message}); applied revisions not checked`;
  }
  const known = heads.filter((head) => graph.has(head));
  refuseAppliedRevisions(plan, new Set(graph.ancestors(known, { inclusive: true })), where);
  return `${where} has none of the moved revisions applied`;
}
