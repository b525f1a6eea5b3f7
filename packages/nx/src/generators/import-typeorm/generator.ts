import { flushingOutput } from '../lib/flush-output';
import { relative } from 'node:path';
import { logger, type Tree } from '@nx/devkit';
import { toUserError } from '../../../../commands/src/errors';
import { prepareTypeormImport } from '../../../../commands/src/import-typeorm';
import { generatorErrorContext, projectContextOfTree } from '../merge/lib/project-context-of-tree';
import { UsageError } from '../../../../commands/src/options';
import { readGeneratorOptions } from '../lib/read-generator-options';
import type { ImportTypeormGeneratorSchema } from './schema';

/** `nx g nx-typeorm-migrations:import-typeorm --project=NAME`: the project's TypeORM migrations as revisions. */
export async function importTypeormGenerator(tree: Tree, options: ImportTypeormGeneratorSchema): Promise<void> {
  try {
    const read = readGeneratorOptions('import-typeorm', options);
    const context = projectContextOfTree(tree, read.project ?? options.project, 'import-typeorm');
    const imported = await prepareTypeormImport(context);
    for (const file of imported.files) tree.write(relative(tree.root, file.path), file.content);
    logger.info(imported.report);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw toUserError(error, generatorErrorContext(tree, options.project, 'import-typeorm'));
  }
}

export default flushingOutput(importTypeormGenerator);
