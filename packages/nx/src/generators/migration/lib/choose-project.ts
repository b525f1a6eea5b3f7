import { getProjects, readNxJson, visitNotIgnoredFiles, type Tree } from '@nx/devkit';
import { UserError } from '../../../../../commands/src/errors';
import { DEFAULT_DATA_SOURCE_GLOB, PLUGIN_NAME, dataSourceMatcher, type TypeormMigrationsPluginOptions } from '../../../plugin';

/** `--project` when given; otherwise the only project that holds a TypeORM data source file. */
export function chooseProject(tree: Tree, project: string | undefined): string {
  if (project) return project;
  const entry = (readNxJson(tree)?.plugins ?? []).find(
    (plugin) => (typeof plugin === 'string' ? plugin : plugin.plugin) === PLUGIN_NAME,
  );
  const options = entry && typeof entry !== 'string' ? ((entry.options ?? {}) as TypeormMigrationsPluginOptions) : {};
  const matches = dataSourceMatcher(options.dataSourceGlob ?? DEFAULT_DATA_SOURCE_GLOB);
  const candidates: string[] = [];
  for (const [name, configuration] of getProjects(tree)) {
    let found = false;
    visitNotIgnoredFiles(tree, configuration.root, (file) => {
      if (!found && matches(file)) found = true;
    });
    if (found) candidates.push(name);
  }
  if (candidates.length === 1) return candidates[0];
  throw new UserError(
    candidates.length === 0
      ? 'No project has a TypeORM data source file; run nx g nx-typeorm-migrations:setup --project=NAME first.'
      : `Several projects have a TypeORM data source (${candidates.sort().join(', ')}); pass --project=NAME.`,
  );
}
