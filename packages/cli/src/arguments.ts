import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ProjectContext } from '../../commands/src/context';
import { HISTORY_FORMATS, type HistoryFormat } from '../../commands/src/history';

/**
 * `nx-typeorm-migrations <migrate|status|history|stamp> [--project-root=DIR] [--data-source=FILE]
 * [--migrations-dir=DIR] [options]`, parsed with `node:util` (no dependency). Bad usage is a `UsageError` (exit 2).
 */
export const VERBS = ['migrate', 'status', 'history', 'stamp'] as const;
export type Verb = (typeof VERBS)[number];

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

export const USAGE = `Usage: nx-typeorm-migrations <command> [options]

Commands:
  migrate   move the database to --to (default head): --to=REV --sql [--from=REV] --lock-timeout=SECONDS --yes
            --step-lock-timeout=5s --step-statement-timeout=0 --lock-retries=3
  status    current revision(s), at head or not, pending: --check-heads
  history   the revision graph: --range=START:END --verbose --format=text|graph|mermaid|json;
            --show=REV (one revision in full), --branches (the branch points)
  stamp     set the version table without running migrations: --to=REV|head|base (several: --to=c3,a3) --purge

Project options (defaults: the current directory, its data-source file, <project-root>/migrations/versions):
  --project-root=DIR  --data-source=FILE  --migrations-dir=DIR

Output: --json (one JSON document on stdout), --verbose (stack traces), --help`;

const COMMON = {
  'project-root': { type: 'string' },
  'data-source': { type: 'string' },
  'migrations-dir': { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const OPTIONS = {
  migrate: {
    ...COMMON,
    to: { type: 'string' },
    sql: { type: 'boolean' },
    from: { type: 'string' },
    'lock-timeout': { type: 'string' },
    'step-lock-timeout': { type: 'string' },
    'step-statement-timeout': { type: 'string' },
    'lock-retries': { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
  },
  status: { ...COMMON, 'check-heads': { type: 'boolean' }, 'lock-timeout': { type: 'string' } },
  history: {
    ...COMMON,
    range: { type: 'string' },
    show: { type: 'string' },
    branches: { type: 'boolean' },
    format: { type: 'string' },
    'lock-timeout': { type: 'string' },
  },
  stamp: { ...COMMON, to: { type: 'string' }, purge: { type: 'boolean' }, 'lock-timeout': { type: 'string' } },
} as const;

export type ParsedCommand =
  | { readonly verb: 'help' }
  | {
      readonly verb: Verb;
      readonly project: ProjectLocation;
      readonly json: boolean;
      readonly verbose: boolean;
      readonly values: Readonly<Record<string, string | boolean | undefined>>;
    };

export interface ProjectLocation {
  readonly projectRoot?: string;
  readonly dataSource?: string;
  readonly migrationsDir?: string;
}

export function parseCommandLine(argv: readonly string[]): ParsedCommand {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') return { verb: 'help' };
  if (!(VERBS as readonly string[]).includes(verb)) {
    throw new UsageError(`Unknown command ${verb}; use one of ${VERBS.join(', ')}.`);
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({ args: [...rest], options: OPTIONS[verb as Verb], strict: true, allowPositionals: false });
    values = parsed.values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace(/\. To specify a positional argument.*$/s, '')}; run nx-typeorm-migrations --help.`);
  }
  if (values['help']) return { verb: 'help' };
  if (values['from'] !== undefined && !values['sql']) throw new UsageError('--from only goes with --sql (it prints a script from that revision without a database).');
  if (verb === 'stamp' && values['to'] === undefined) throw new UsageError('stamp needs --to=REV|head|heads|base.');
  if (values['format'] !== undefined && !(HISTORY_FORMATS as readonly string[]).includes(String(values['format']))) {
    throw new UsageError(`--format=${String(values['format'])} is not known; use one of ${HISTORY_FORMATS.join(', ')}.`);
  }
  if (values['lock-timeout'] !== undefined) parseLockTimeout(String(values['lock-timeout']));
  if (values['lock-retries'] !== undefined) parseLockRetries(String(values['lock-retries']));
  return {
    verb: verb as Verb,
    project: {
      projectRoot: values['project-root'] as string | undefined,
      dataSource: values['data-source'] as string | undefined,
      migrationsDir: values['migrations-dir'] as string | undefined,
    },
    json: values['json'] === true,
    verbose: values['verbose'] === true,
    values,
  };
}

export function parseLockTimeout(text: string): number {
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`--lock-timeout=${text} is not a number of seconds (0 or more).`);
  }
  return seconds;
}

export function parseLockRetries(text: string): number {
  const retries = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(retries)) {
    throw new UsageError(`--lock-retries=${text} is not a whole number (0 or more).`);
  }
  return retries;
}

export function historyFormat(value: string | boolean | undefined): HistoryFormat | undefined {
  return value === undefined ? undefined : (String(value) as HistoryFormat);
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
