import { joinPathFragments, type ProjectConfiguration, type Tree } from '@nx/devkit';

/** `<projectRoot>/<migrationsDir>/.gitkeep`, so the empty folder is committed. */
export function scaffoldMigrationsFolder(tree: Tree, project: ProjectConfiguration, migrationsDir: string): void {
  const folder = joinPathFragments(project.root, migrationsDir);
  if (tree.children(folder).length === 0) tree.write(joinPathFragments(folder, '.gitkeep'), '');
}
