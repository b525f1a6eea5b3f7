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
  const projects = [...getProjects(tree)].map(([name, configuration]) => ({ name, root: normalizeRoot(configuration.root) }));
  const found = new Set<string>();
  visitNotIgnoredFiles(tree, '', (file) => {
    if (!matches(file)) return;
    const owner = owningProject(projects, file);
    if (owner) found.add(owner);
  });
  const candidates = [...found];
  if (candidates.length === 1) return candidates[0];
  throw new UserError(
    candidates.length === 0
      ? 'No project has a TypeORM data source file; run nx g nx-typeorm-migrations:setup --project=NAME first.'
      : `Several projects have a TypeORM data source (${candidates.sort().join(', ')}); pass --project=NAME.`,
    { code: candidates.length === 0 ? 'NO_DATA_SOURCE' : 'PROJECT_REQUIRED' },
  );
}

function normalizeRoot(root: string): string {
  return root === '.' || root === './' ? '' : root.replace(/\/$/, '');
}

/** The project with the deepest root holding the file: a data source of `apps/api` is not one of a root project `.`. */
function owningProject(projects: Array<{ name: string; root: string }>, file: string): string | undefined {
  let owner: { name: string; root: string } | undefined;
  for (const project of projects) {
    const holds = project.root === '' || file.startsWith(`${project.root}/`);
    if (holds && (!owner || project.root.length > owner.root.length)) owner = project;
  }
  return owner?.name;
}
