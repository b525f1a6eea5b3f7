import { relative } from 'node:path';
import type { RevisionGraph } from '../../core/src/graph';
import type { MigrationFile } from '../../adapters/src/fs/migration-directory';
import { fileAuthors, type FileAuthor } from '../../adapters/src/git/git-history';
import type { ProjectContext, ProjectMigrations } from './context';
import { CodedError } from '../../core/src/errors';
import { commandFor, nxGeneratorRoute, type Route } from './route';

/**
 * The report of several heads: when two developers each add a migration on top of the same revision, every command
 * that would otherwise pick one of them (migrate, migrate-status, migrate-check, the migration generator) stops
 * with this report instead, naming the heads, their files, messages and authors, and the commands that resolve it.
 */

export interface HeadDescription {
  readonly revision: string;
  readonly message: string;
  /** Relative to the workspace root. */
  readonly file: string;
  /** Who added the file, from git; absent when it is not committed or there is no repository. */
  readonly author?: FileAuthor;
}

export interface HeadsReportInput {
  readonly projectName: string;
  readonly workspaceRoot: string;
  readonly graph: RevisionGraph;
  readonly migrations: readonly MigrationFile[];
}

/** Every head of the graph with its file, message and git author, sorted by revision id. */
export function describeHeads(input: HeadsReportInput): HeadDescription[] {
  const fileOf = new Map(input.migrations.map((migration) => [migration.revision, migration.file]));
  const heads = [...input.graph.heads()].sort();
  const files = heads.flatMap((head) => fileOf.get(head) ?? []);
  const authors = fileAuthors(input.workspaceRoot, files);
  return heads.map((revision) => {
    const file = fileOf.get(revision);
    const author = file ? authors.get(file) : undefined;
    return {
      revision,
      message: input.graph.get(revision).message,
      file: file ? relative(input.workspaceRoot, file) : '(no file)',
      ...(author && { author }),
    };
  });
}

/** The heads of a project that has several, where a command must pick one: the heads report names them. */
export class UnmergedHeadsError extends CodedError {
  readonly code = 'UNMERGED_HEADS';

  /** @param headOption the command accepts `--head=REV` to pick one of the heads (the migration generator) */
  constructor(
    readonly projectName: string,
    readonly heads: readonly HeadDescription[],
    readonly headOption = false,
  ) {
    super(`project ${projectName} has ${heads.length} head revisions (${heads.map((head) => head.revision).join(', ')})`);
  }
}

/**
 * The multi-line report: what is wrong, one line per head, then the two ways out as the user types them on their
 * route (the generators under Nx, the verbs from the CLI).
 */
export function formatHeadsReport(
  projectName: string,
  heads: readonly HeadDescription[],
  route: Route = nxGeneratorRoute(projectName, 'migration'),
  headOption = false,
): string {
  const merge = commandFor(route, 'merge', '-m "Merge heads"');
  const rebase = commandFor(route, 'rebase');
  const width = Math.max(merge.length, rebase.length) + 4;
  const idWidth = Math.max(...heads.map((head) => head.revision.length));
  const messageWidth = Math.max(...heads.map((head) => head.message.length));
  const lines = [
    `Project ${projectName} has ${heads.length} head revisions (${heads.map((head) => head.revision).join(', ')}): ` +
      'migrations were added on top of the same revision, so their order is undecided; merge or rebase them.',
    ...heads.map(
      (head) =>
        `  ${head.revision.padEnd(idWidth)}  ${head.message.padEnd(messageWidth)}  ${head.file}  (${authorText(head)})`,
    ),
    'Resolve it with one of:',
    `  ${merge.padEnd(width)}a merge revision over the heads`,
    `  ${rebase.padEnd(width)}your branch re-parented on top of the other, history linear`,
    ...(headOption ? [`  ${'--head=REV'.padEnd(width)}the new migration built on one of the heads`] : []),
  ];
  return lines.join('\n');
}

function authorText(head: HeadDescription): string {
  if (!head.author) return 'not committed';
  return `${head.author.name} <${head.author.email}>, ${head.author.date.toISOString().slice(0, 10)}`;
}

/**
 * The heads report when the project has more than one head, otherwise `undefined`: what migrate, migrate-status
 * and the migration generator call before they pick "the" head.
 */
export function multipleHeadsReport(input: HeadsReportInput & { readonly route?: Route }): string | undefined {
  if (input.graph.heads().length < 2) return undefined;
  return formatHeadsReport(input.projectName, describeHeads(input), input.route);
}

/**
 * Stops a command that would pick "the" head (migrate --to=head, migrate-status, the migration generator without
 * --head) when there are several, with the heads report as its message.
 */
export function refuseMultipleHeads(context: ProjectContext, migrations: ProjectMigrations): void {
  if (migrations.graph.heads().length < 2) return;
  throw new UnmergedHeadsError(
    context.projectName,
    describeHeads({ ...context, graph: migrations.graph, migrations: migrations.files }),
  );
}
