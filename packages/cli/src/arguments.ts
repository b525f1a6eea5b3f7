import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ProjectContext } from '../../commands/src/context';

import { readCliOptions, usage, UsageError, verbOf, type CommandOptions, type Verb } from '../../commands/src/options';

export { UsageError } from '../../commands/src/options';

/**
 * `nx-typeorm-migrations <verb> [--project-root=DIR] [--data-source=FILE] [--migrations-dir=DIR] [options]`: the
 * verb, then its options read and checked by the one option table every route shares (`commands/src/options.ts`).
 * Bad usage is a `UsageError` (exit 2).
 */
export const USAGE = usage();

export type ParsedCommand =
  | { readonly verb: 'help'; readonly text: string }
  | { readonly verb: Verb; readonly options: CommandOptions };

export interface ProjectLocation {
  readonly projectRoot?: string;
  readonly dataSource?: string;
  readonly migrationsDir?: string;
}

export function parseCommandLine(argv: readonly string[]): ParsedCommand {
  const [word, ...rest] = argv;
  if (word === undefined || word === '--help' || word === '-h' || word === 'help') return { verb: 'help', text: USAGE };
  if (word.startsWith('-')) throw new UsageError(`The command comes first: nx-typeorm-migrations <command> ${word}; run nx-typeorm-migrations --help.`);
  const verb = verbOf(word);
  // `migrate --help` is help even next to a mistyped option.
  if (rest.includes('--help') || rest.includes('-h')) return { verb: 'help', text: usage(verb) };
  return { verb, options: readCliOptions(verb, rest) };
}

const DATA_SOURCE_NAMES = ['ts', 'js', 'mts', 'mjs', 'cts', 'cjs'].map((extension) => `data-source.${extension}`);

/** The project's files from the options, defaults filled in: the command input. */
export function resolveProject(
  location: ProjectLocation,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): ProjectContext {
  const projectRoot = resolve(cwd, location.projectRoot ?? '.');
  if (!existsSync(projectRoot) || !statSync(projectRoot).isDirectory()) {
    throw new UsageError(`--project-root ${projectRoot} is not a directory; pass the folder of the project.`);
  }
  const dataSourceFile = location.dataSource ? resolve(cwd, location.dataSource) : findDataSource(projectRoot);
  if (!dataSourceFile) {
    throw new UsageError(
      `No data-source.ts (or .js, .mts...) in ${projectRoot} or its subfolders; pass --data-source=FILE.`,
    );
  }
  if (!existsSync(dataSourceFile)) throw new UsageError(`--data-source ${dataSourceFile} does not exist.`);
  return {
    workspaceRoot: findWorkspaceRoot(projectRoot),
    projectRoot,
    projectName: basename(projectRoot),
    dataSourceFile,
    migrationsDir: location.migrationsDir ? resolve(cwd, location.migrationsDir) : join(projectRoot, 'migrations', 'versions'),
    env,
  };
}

/** The first data-source file found breadth-first under the project root, skipping node_modules and dot folders. */
function findDataSource(projectRoot: string): string | undefined {
  let level = [projectRoot];
  for (let depth = 0; depth < 5 && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      for (const name of DATA_SOURCE_NAMES) if (existsSync(join(dir, name))) return join(dir, name);
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.') && entry.name !== 'dist') {
          next.push(join(dir, entry.name));
        }
      }
    }
    level = next.sort();
  }
  return undefined;
}

/** The nearest folder holding `nx.json`, else the project root. */
function findWorkspaceRoot(projectRoot: string): string {
  for (let dir = projectRoot; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) return projectRoot;
  }
}
