import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where this tool keeps what it can rebuild (a fresh PGlite cluster, transpiled code): `.cache/nx-typeorm-migrations/`
 * in the `node_modules` folder holding `fromFile`, a file of an installed package. Deleting the folder loses nothing.
 */
export function toolCacheDir(fromFile: string): string | undefined {
  const marker = `node_modules${fromFile.includes('\\') ? '\\' : '/'}`;
  const at = fromFile.lastIndexOf(marker);
  if (at < 0) return undefined;
  return join(fromFile.slice(0, at + 'node_modules'.length), '.cache', 'nx-typeorm-migrations');
}

/**
 * A file of the tool's cache whose contents depend on an installed package's version (`@swc/core` for transpiled
 * code, PGlite for its cluster): `name(version)` in the cache folder of the `node_modules` holding the package.
 * Undefined when the package is not in a `node_modules` folder, or cannot be read.
 */
export function packageCacheFile(packageName: string, name: (version: string) => string): string | undefined {
  try {
    // Some packages export no `./package.json`: find the folder from the entry point.
    const entry = require.resolve(packageName);
    const cacheDir = toolCacheDir(entry);
    if (!cacheDir) return undefined;
    const manifest = join(packageFolderOf(entry, join(...packageName.split('/'))), 'package.json');
    const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
    return join(cacheDir, name(version));
  } catch {
    return undefined;
  }
}

/** Writes a cache file whole or not at all (a temporary file renamed over it); false when that was not possible. */
export function writeCacheFile(file: string, data: string | Buffer): boolean {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, data);
    renameSync(partial, file);
    return true;
  } catch {
    return false;
  }
}

/** The folder of an installed package's `package.json`, found from a file inside the package. */
export function packageFolderOf(fromFile: string, name: string): string {
  for (let dir = dirname(fromFile); dirname(dir) !== dir; dir = dirname(dir)) {
    if (dir.endsWith(join('node_modules', name))) return dir;
  }
  return dirname(fromFile);
}
