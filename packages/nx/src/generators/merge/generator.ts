import { relative } from 'node:path';
import { logger, type Tree } from '@nx/devkit';
import { readProjectMigrations } from '../../../../commands/src/context';
import { toUserError } from '../../../../commands/src/errors';
import { planMerge } from '../../../../commands/src/merge';
import { generatorErrorContext, projectContextOfTree } from './lib/project-context-of-tree';
import type { MergeGeneratorSchema } from './schema';

/** `nx g nx-typeorm-migrations:merge --project=NAME -m "..."`: a merge revision over the heads. */
export async function mergeGenerator(tree: Tree, options: MergeGeneratorSchema): Promise<void> {
  try {
    const context = projectContextOfTree(tree, options.project, 'merge');
    const { graph } = readProjectMigrations(context);
    const planned = planMerge(
      { ...context, graph },
      { message: options.message, revisions: options.revisions, revisionId: options.revId },
    );
    const path = relative(tree.root, planned.path);
    tree.write(path, planned.content);
    logger.info(`Merge revision ${planned.revision}: ${path}`);
  } catch (error) {
    throw toUserError(error, generatorErrorContext(tree, options.project, 'merge'));
  }
}

export default mergeGenerator;
