import { flushingOutput } from '../lib/flush-output';
import { formatFiles, logger, readProjectConfiguration, type GeneratorCallback, type Tree } from '@nx/devkit';
import { DEFAULT_DATA_SOURCE_GLOB, DEFAULT_MIGRATIONS_DIR, DEFAULT_TARGET_NAMES } from '../../plugin';
import { initGenerator } from '../init/generator';
import { registerPlugin } from '../init/lib/register-plugin';
import { addMissingPackages } from './lib/add-packages';
import { enableDecorators } from './lib/enable-decorators';
import { moduleKindOf } from './lib/module-kind';
import { scaffoldDataSource, scaffoldExampleEntity } from './lib/scaffold-data-source';
import { scaffoldEnvExample } from './lib/scaffold-env-example';
import { scaffoldMigrationsFolder } from './lib/scaffold-migrations-folder';
import type { SetupGeneratorSchema } from './schema';

/**
 * `nx g nx-typeorm-migrations:setup --project=NAME`: a data source of the project's module kind, a migrations
 * folder, how to configure them, the compiler switches TypeORM's decorators need, and the packages the workspace
 * lacks. Running it again changes nothing.
 */
export async function setupGenerator(tree: Tree, options: SetupGeneratorSchema): Promise<GeneratorCallback | void> {
  const project = { ...readProjectConfiguration(tree, options.project), name: options.project };
  await initGenerator(tree, { skipFormat: true });
  const pluginOptions = registerPlugin(tree);
  const moduleKind = moduleKindOf(tree, project.root);
  const dataSourceFolder = scaffoldDataSource(tree, project, pluginOptions.dataSourceGlob ?? DEFAULT_DATA_SOURCE_GLOB, moduleKind);
  scaffoldExampleEntity(tree, project, dataSourceFolder);
  scaffoldMigrationsFolder(tree, project, pluginOptions.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  scaffoldEnvExample(tree, project);
  const decorators = enableDecorators(tree, project);
  if (decorators.length > 0) logger.info(`Turned on TypeORM's decorators (experimentalDecorators, emitDecoratorMetadata) in ${decorators.join(', ')}.`);
  const packages = addMissingPackages(tree);
  if (packages.added.length > 0) logger.info(`Added to package.json: ${packages.added.join(', ')}; installing them.`);
  if (!options.skipFormat) await formatFiles(tree);
  const migrate = pluginOptions.targetNames?.migrate ?? DEFAULT_TARGET_NAMES.migrate;
  logger.info(
    `Next: edit the entities, then \`nx g migration --project=${project.name} --message="Create tables"\` and \`nx run ${project.name}:${migrate} --to=head\`.`,
  );
  return packages.install;
}

export default flushingOutput(setupGenerator);
