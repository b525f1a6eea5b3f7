import { flushingOutput } from '../lib/flush-output';
import { relative } from 'node:path';
import { logger, type Tree } from '@nx/devkit';
import { readProjectMigrations } from '../../../../commands/src/context';
import { toUserError } from '../../../../commands/src/errors';
import { planRebase, refuseIfApplied } from '../../../../commands/src/rebase';
import type { Reporter } from '../../../../commands/src/reporter';
import { generatorErrorContext, projectContextOfTree } from '../merge/lib/project-context-of-tree';
import { UsageError } from '../../../../commands/src/options';
import { readGeneratorOptions } from '../lib/read-generator-options';
import type { RebaseGeneratorSchema } from './schema';

/** `nx g nx-typeorm-migrations:rebase --project=NAME`: one branch of migrations on top of the other head. */
export async function rebaseGenerator(tree: Tree, options: RebaseGeneratorSchema): Promise<void> {
  try {
    const read = readGeneratorOptions('rebase', options);
    const context = projectContextOfTree(tree, read.project ?? options.project, 'rebase');
    const { graph, files } = readProjectMigrations(context);
    const plan = planRebase({ ...context, graph, migrations: files }, { onto: read.onto, branch: read.branch });
    const reporter: Reporter = { info: logger.info, warn: logger.warn, step: () => undefined };
    const databaseNote = await refuseIfApplied(context, plan, graph, reporter);
    for (const file of plan.files) tree.write(relative(tree.root, file.path), file.content);
    logger.info(
      `Rebased ${plan.moved.join(', ')} onto ${plan.onto}: ${plan.files.map((file) => relative(tree.root, file.path)).join(', ')} ` +
        `now revise${plan.files.length === 1 ? 's' : ''} ${plan.onto}. ${databaseNote}.`,
    );
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw toUserError(error, generatorErrorContext(tree, options.project, 'rebase'));
  }
}

export default flushingOutput(rebaseGenerator);
