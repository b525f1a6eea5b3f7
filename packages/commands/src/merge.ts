import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RevisionGraph } from '../../core/src/graph';
import { migrationFileName, newRevisionId, renderMigrationFile } from '../../core/src/migration-file';
import { UserError } from './errors';
import { MergeOnOneBranchError } from './refusals';
import { readProjectMigrations, type ProjectContext } from './context';

/**
 * `merge`: one new revision whose down revisions are several heads (by default all of them), with empty `up` and
 * `down` — Alembic's `merge`. Applying it changes nothing in the database; it only tells the graph, and everyone
 * who pulls it, that both branches are now one.
 */

export interface MergeOptions {
  readonly message: string;
  /** Revisions to merge (ids, unique prefixes or branch labels); default: every head. */
  readonly revisions?: readonly string[];
  /** Chosen revision id instead of a random one. */
  readonly revisionId?: string;
}

export interface PlannedRevisionFile {
  readonly revision: string;
  /** Absolute path. */
  readonly path: string;
  readonly content: string;
}

export interface MergePlanInput {
  readonly projectName: string;
  readonly migrationsDir: string;
  readonly graph: RevisionGraph;
  readonly now?: Date;
}

export function planMerge(input: MergePlanInput, options: MergeOptions): PlannedRevisionFile {
  const message = options.message.trim();
  if (!message) {
    throw new UserError(
      'A merge revision needs a message: pass --message="Merge <what the branches did>".',
      { code: 'MESSAGE_REQUIRED' },
    );
  }
  const revisions = [
    ...new Set((options.revisions?.length ? options.revisions : input.graph.heads()).map((text) => input.graph.resolveRevision(text))),
  ];
  if (revisions.length < 2) {
    throw new UserError(
      options.revisions?.length
        ? `A merge needs at least two different revisions; ${revisions.join(', ')} names only one.`
        : `Project ${input.projectName} has a single head (${revisions.join(', ') || 'no revisions yet'}); there is nothing to merge.`,
      { code: 'NOTHING_TO_MERGE' },
    );
  }
  for (const revision of revisions) {
    const descendant = revisions.find(
      (other) => other !== revision && input.graph.ancestors([other], { dependencies: false }).includes(revision),
    );
    if (descendant) {
      throw new MergeOnOneBranchError(revision, descendant);
    }
  }
  const revision = options.revisionId ?? newRevisionId();
  if (input.graph.has(revision)) {
    throw new UserError(
      `Revision id ${revision} is already used; choose another --rev-id or omit it.`,
      { code: 'REVISION_ID_TAKEN' },
    );
  }
  const content = renderMigrationFile({
    revision,
    downRevisions: revisions,
    message,
    createDate: input.now ?? new Date(),
    up: [],
    down: [],
  });
  return { revision, path: join(input.migrationsDir, migrationFileName(revision, message)), content };
}

/** Reads the project's migrations, plans the merge revision and writes it; returns what was written. */
export function merge(context: ProjectContext, options: MergeOptions): PlannedRevisionFile {
  const { graph } = readProjectMigrations(context);
  const planned = planMerge({ ...context, graph }, options);
  writeFileSync(planned.path, planned.content);
  return planned;
}
