import { join } from 'node:path';
import { readNxJson, readProjectConfiguration, visitNotIgnoredFiles, type Tree } from '@nx/devkit';
import type { ProjectContext } from '../../../../../commands/src/context';
import { UserError, type ErrorContext } from '../../../../../commands/src/errors';
import { nxGeneratorRoute, type Route } from '../../../../../commands/src/route';
import {
  DEFAULT_DATA_SOURCE_GLOB,
  DEFAULT_MIGRATIONS_DIR,
  PLUGIN_NAME,
  dataSourceMatcher,
  type TypeormMigrationsPluginOptions,
} from '../../../plugin';

/**
 * The command context of a project for a generator: the same paths the inferred targets use (the plugin's
 * `migrationsDir` and `dataSourceGlob` from `nx.json`), absolute under the workspace root.
 */
export function projectContextOfTree(tree: Tree, projectName: string, generator: string): ProjectContext {
  const project = readProjectConfiguration(tree, projectName);
  const options = pluginOptions(tree);
  const route = generatorRoute(tree, projectName, generator);
  const matches = dataSourceMatcher(options.dataSourceGlob ?? DEFAULT_DATA_SOURCE_GLOB);
  const dataSources: string[] = [];
  visitNotIgnoredFiles(tree, project.root, (file) => {
    if (matches(file)) dataSources.push(file);
  });
  if (dataSources.length === 0) {
    throw new UserError(
      `Project ${projectName} has no TypeORM data source file; run nx g nx-typeorm-migrations:setup --project=${projectName}.`,
      { code: 'NO_DATA_SOURCE' },
    );
  }
  return {
    workspaceRoot: tree.root,
    projectRoot: join(tree.root, project.root),
    projectName,
    dataSourceFile: join(tree.root, dataSources.sort()[0]),
    migrationsDir: join(tree.root, project.root, options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR),
    env: process.env,
    route,
  };
}

/** The route of a generator run, with the project's target names from the plugin's options. */
export function generatorRoute(tree: Tree, projectName: string | undefined, generator: string): Route {
  return nxGeneratorRoute(projectName ?? 'PROJECT', generator, pluginOptions(tree).targetNames);
}

/** What a generator's failure is worded with: paths from the workspace root, commands as typed under Nx. */
export function generatorErrorContext(tree: Tree, projectName: string | undefined, generator: string): ErrorContext {
  return { workspaceRoot: tree.root, projectName, route: generatorRoute(tree, projectName, generator) };
}

/** The plugin's options in `nx.json` (none when it is registered without options). */
export function pluginOptions(tree: Tree): TypeormMigrationsPluginOptions {
  const entry = (readNxJson(tree)?.plugins ?? []).find(
    (plugin) => (typeof plugin === 'string' ? plugin : plugin.plugin) === PLUGIN_NAME,
  );
  return entry && typeof entry !== 'string' ? ((entry.options ?? {}) as TypeormMigrationsPluginOptions) : {};
}
