import { formatFiles, logger, readProjectConfiguration, type Tree } from '@nx/devkit';
import { DEFAULT_DATA_SOURCE_GLOB, DEFAULT_MIGRATIONS_DIR, DEFAULT_TARGET_NAMES } from '../../plugin';
import { initGenerator } from '../init/generator';
import { registerPlugin } from '../init/lib/register-plugin';
import { scaffoldDataSource, scaffoldExampleEntity } from './lib/scaffold-data-source';
import { scaffoldEnvExample } from './lib/scaffold-env-example';
import { scaffoldMigrationsFolder } from './lib/scaffold-migrations-folder';
import type { SetupGeneratorSchema } from './schema';

/** `nx g nx-typeorm-migrations:setup --project=NAME`: a data source, a migrations folder and how to configure them. */
export async function setupGenerator(tree: Tree, options: SetupGeneratorSchema): Promise<void> {
  const project = { ...readProjectConfiguration(tree, options.project), name: options.project };
  await initGenerator(tree, { skipFormat: true });
  const pluginOptions = registerPlugin(tree);
  const dataSourceFolder = scaffoldDataSource(tree, project, pluginOptions.dataSourceGlob ?? DEFAULT_DATA_SOURCE_GLOB);
  scaffoldExampleEntity(tree, project, dataSourceFolder);
  scaffoldMigrationsFolder(tree, project, pluginOptions.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  scaffoldEnvExample(tree, project);
  if (!options.skipFormat) await formatFiles(tree);
  const migrate = pluginOptions.targetNames?.migrate ?? DEFAULT_TARGET_NAMES.migrate;
  logger.info(
    `Next: edit the entities, then \`nx g migration --project=${project.name} --message="Create tables"\` and \`nx run ${project.name}:${migrate} --to=head\`.`,
  );
}

export default setupGenerator;
