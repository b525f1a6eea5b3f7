import { flushingOutput } from '../lib/flush-output';
import { relative } from 'node:path';
import { logger, type Tree } from '@nx/devkit';
import { readProjectMigrations } from '../../../../commands/src/context';
import { toUserError } from '../../../../commands/src/errors';
import { planMerge } from '../../../../commands/src/merge';
import { generatorErrorContext, projectContextOfTree } from './lib/project-context-of-tree';
import { UsageError } from '../../../../commands/src/options';
import { readGeneratorOptions } from '../lib/read-generator-options';
import type { MergeGeneratorSchema } from './schema';

/** `nx g nx-typeorm-migrations:merge --project=NAME -m "..."`: a merge revision over the heads. */
export async function mergeGenerator(tree: Tree, options: MergeGeneratorSchema): Promise<void> {
  try {
    const read = readGeneratorOptions('merge', options);
    const context = projectContextOfTree(tree, read.project ?? options.project, 'merge');
    const { graph } = readProjectMigrations(context);
    const planned = planMerge({ ...context, graph }, { message: read.message ?? '', revisions: read.revisions, revisionId: read.revId });
    const path = relative(tree.root, planned.path);
    tree.write(path, planned.content);
    logger.info(`Merge revision ${planned.revision}: ${path}`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw toUserError(error, generatorErrorContext(tree, options.project, 'merge'));
  }
}

export default flushingOutput(mergeGenerator);
