import { dirname, join } from 'node:path';

/**
 * Where this tool keeps what it can rebuild (a fresh PGlite cluster, transpiled migrations): `.cache/nx-typeorm-migrations/`
 * in the `node_modules` folder holding `fromFile`, a file of an installed package. Deleting the folder loses nothing.
 */
export function toolCacheDir(fromFile: string): string | undefined {
  const marker = `node_modules${fromFile.includes('\\') ? '\\' : '/'}`;
  const at = fromFile.lastIndexOf(marker);
  if (at < 0) return undefined;
  return join(fromFile.slice(0, at + 'node_modules'.length), '.cache', 'nx-typeorm-migrations');
}

/** The folder of an installed package's `package.json`, found from a file inside the package. */
export function packageFolderOf(fromFile: string, name: string): string {
  for (let dir = dirname(fromFile); dirname(dir) !== dir; dir = dirname(dir)) {
    if (dir.endsWith(join('node_modules', name))) return dir;
  }
  return dirname(fromFile);
}
