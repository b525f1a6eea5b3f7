import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * What git knows about migration files: who added them and when, and which files changed since a base ref.
 * Every function answers `undefined` when git is not installed or the folder is not in a repository, because
 * everything that uses them (head reports, rebase order, lint scope) still works, only with less to say.
 */

export interface FileAuthor {
  readonly name: string;
  readonly email: string;
  /** When the commit that added the file was authored. */
  readonly date: Date;
}

function git(cwd: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}

export function repositoryRoot(cwd: string): string | undefined {
  return git(cwd, ['rev-parse', '--show-toplevel'])?.trim() || undefined;
}

/**
 * The author of the commit that added each file (following renames); no entry for a file that is not committed
 * yet or when there is no repository.
 */
export function fileAuthors(cwd: string, files: readonly string[]): Map<string, FileAuthor> {
  const authors = new Map<string, FileAuthor>();
  if (!repositoryRoot(cwd)) return authors;
  for (const file of files) {
    const log = git(cwd, ['log', '--follow', '--diff-filter=A', '--format=%an%x09%ae%x09%aI', '--', file]);
    const last = log?.trim().split('\n').at(-1);
    if (!last) continue;
    const [name, email, date] = last.split('\t');
    authors.set(file, { name, email, date: new Date(date) });
  }
  return authors;
}

/**
 * Absolute paths of the files that differ between the merge base of `base` and HEAD, and the working tree
 * (committed, staged, unstaged or untracked): what a pull request adds. `undefined` when `base` is not a ref.
 */
export function filesChangedSince(cwd: string, base: string): Set<string> | undefined {
  const root = repositoryRoot(cwd);
  if (!root) return undefined;
  const mergeBase = git(root, ['merge-base', base, 'HEAD'])?.trim();
  if (!mergeBase) return undefined;
  const changed = git(root, ['diff', '--name-only', '--no-renames', mergeBase]) ?? '';
  const untracked = git(root, ['ls-files', '--others', '--exclude-standard']) ?? '';
  return new Set([...changed.split('\n'), ...untracked.split('\n')].filter(Boolean).map((file) => join(root, file)));
}
