import { readFileSync, realpathSync, statSync } from 'node:fs';

/**
 * What module resolution, tsconfig reading and module-format detection read from the disk: two questions, so the
 * pure logic is tested on an in-memory tree and the loader runs it on the real one.
 */
export interface FileReader {
  /** The text of a file, or undefined when there is no such file. */
  readText(path: string): string | undefined;
  isFile(path: string): boolean;
  /** The path with symbolic links followed (a workspace package linked into node_modules leads to its sources). */
  realPath(path: string): string;
}

/** The real disk. Answers are not remembered here: the callers keep what they need per run. */
export const diskReader: FileReader = {
  readText(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  isFile(path) {
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  },
  realPath(path) {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  },
};

/** An in-memory tree (absolute path -> text) for tests. */
export function memoryReader(files: Readonly<Record<string, string>>): FileReader {
  return {
    readText: (path) => files[path],
    isFile: (path) => Object.prototype.hasOwnProperty.call(files, path),
    realPath: (path) => path,
  };
}
