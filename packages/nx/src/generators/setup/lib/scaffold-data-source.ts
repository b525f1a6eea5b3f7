import { generateFiles, joinPathFragments, logger, visitNotIgnoredFiles, type ProjectConfiguration, type Tree } from '@nx/devkit';
import { join } from 'node:path';
import { dataSourceMatcher } from '../../../plugin';
import type { ModuleKind } from './module-kind';

/**
 * Writes `<sourceRoot>/data-source.ts` unless the project already holds a file the plugin takes for a data
 * source. Returns the data source's folder. An ECMAScript module finds its folder through `import.meta.url`.
 */
export function scaffoldDataSource(tree: Tree, project: ProjectConfiguration, dataSourceGlob: string, moduleKind: ModuleKind): string {
  const isDataSource = dataSourceMatcher(dataSourceGlob);
  const existing = filesOf(tree, project.root).find(isDataSource);
  if (existing !== undefined) {
    logger.info(`${project.name} already has a data source (${existing}); it is kept as it is.`);
    return joinPathFragments(existing, '..');
  }
  const sourceRoot = project.sourceRoot ?? joinPathFragments(project.root, 'src');
  generateFiles(tree, join(__dirname, '..', 'files', 'data-source'), sourceRoot, { projectName: project.name, esm: moduleKind === 'esm', tmpl: '' });
  return sourceRoot;
}

/** Writes an example entity beside the data source when the project has no entity at all. */
export function scaffoldExampleEntity(tree: Tree, project: ProjectConfiguration, dataSourceFolder: string): void {
  const hasEntity = filesOf(tree, project.root).some(
    (file) => /\.entity\.[cm]?[tj]s$/.test(file) || /@Entity\(/.test(tree.read(file, 'utf-8') ?? ''),
  );
  if (hasEntity) return;
  generateFiles(tree, join(__dirname, '..', 'files', 'entity'), joinPathFragments(dataSourceFolder, 'entities'), { tmpl: '' });
}

function filesOf(tree: Tree, root: string): string[] {
  const files: string[] = [];
  visitNotIgnoredFiles(tree, root, (file) => {
    if (/\.[cm]?[tj]s$/.test(file)) files.push(file);
  });
  return files;
}
