import type { Tree } from '@nx/devkit';

/** Where the embedded databases of a workspace live (`<workspaceRoot>/.nx-typeorm-migrations/<project>/`). */
export const EMBEDDED_DATABASES_FOLDER = '.nx-typeorm-migrations';

/** Adds the embedded databases' folder to the root `.gitignore`, once. */
export function ignoreEmbeddedDatabases(tree: Tree): void {
  const current = tree.exists('.gitignore') ? tree.read('.gitignore', 'utf-8') ?? '' : '';
  const ignored = current.split(/\r?\n/).some((line) => [EMBEDDED_DATABASES_FOLDER, `${EMBEDDED_DATABASES_FOLDER}/`, `/${EMBEDDED_DATABASES_FOLDER}`, `/${EMBEDDED_DATABASES_FOLDER}/`].includes(line.trim()));
  if (ignored) return;
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  tree.write('.gitignore', `${current}${separator}# the embedded databases of nx-typeorm-migrations\n${EMBEDDED_DATABASES_FOLDER}/\n`);
}
