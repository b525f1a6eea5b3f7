import { flushingOutput } from '../lib/flush-output';
import { formatFiles, type GeneratorCallback, type Tree } from '@nx/devkit';
import { DEFAULT_TARGET_NAMES } from '../../plugin';
import { ignoreEmbeddedDatabases } from './lib/ignore-embedded-databases';
import { setMigrateBeforeDependents } from './lib/migrate-before-dependents';
import { registerPlugin } from './lib/register-plugin';
import type { InitGeneratorSchema } from './schema';

/** `nx add nx-typeorm-migrations`: safe to run again, it changes only what is missing. */
export async function initGenerator(tree: Tree, options: InitGeneratorSchema): Promise<GeneratorCallback | void> {
  const pluginOptions = registerPlugin(tree);
  setMigrateBeforeDependents(tree, options.migrateBeforeDependents ?? true, pluginOptions.targetNames?.migrate ?? DEFAULT_TARGET_NAMES.migrate);
  ignoreEmbeddedDatabases(tree);
  if (!options.skipFormat) await formatFiles(tree);
}

export default flushingOutput(initGenerator);
