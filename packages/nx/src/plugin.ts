import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, relative, sep } from 'node:path';
import type { CreateNodesContext, CreateNodesResult, CreateNodesV2, TargetConfiguration } from '@nx/devkit';

/** The options of `{ "plugin": "nx-typeorm-migrations", "options": {...} }` in `nx.json`. */
export interface TypeormMigrationsPluginOptions {
  /** Which files are data sources, relative to the workspace root. */
  dataSourceGlob?: string;
  /** Where a project's migrations live, relative to the project root. */
  migrationsDir?: string;
  targetNames?: TargetNames;
}

export interface TargetNames {
  migrate?: string;
  status?: string;
  history?: string;
  check?: string;
  stamp?: string;
}

export const DEFAULT_DATA_SOURCE_GLOB = '**/data-source.{ts,js,mts,mjs,cts,cjs}';
export const DEFAULT_MIGRATIONS_DIR = 'migrations/versions';
export const DEFAULT_TARGET_NAMES: Required<TargetNames> = {
  migrate: 'migrate',
  status: 'migrate-status',
  history: 'migrate-history',
  check: 'migrate-check',
  stamp: 'migrate-stamp',
};
export const PLUGIN_NAME = 'nx-typeorm-migrations';
/** How `nx show project` and Nx Console group the inferred targets. */
const TARGET_GROUP = 'TypeORM migrations';

/**
 * `.env.<name>` files that are not environments: Nx loads `.env.local` for every task, `.env.example` is a
 * template, and `.env.<configuration>.local` belongs to its configuration.
 */
const NOT_ENVIRONMENTS = new Set(['local', 'example', 'sample', 'template', 'defaults']);

/**
 * The files Nx sends the plugin: script files whose name says they configure TypeORM. The glob of `createNodes`
 * is fixed when the module loads, before the options are known, so it is this fixed superset of every
 * `dataSourceGlob` the plugin supports, and the plugin keeps the files matching `dataSourceGlob`. Narrow on
 * purpose: with every script file of the workspace, shipping the list to the plugin's worker costs more than
 * the inference. Nothing here loads TypeORM or reads a data source: the file's name and place are enough.
 */
export const DATA_SOURCE_FILE_NAMES = ['data-source', 'data_source', 'datasource', 'dataSource', 'DataSource', 'ormconfig', 'typeorm'];
const DATA_SOURCE_FILES = `**/*{${DATA_SOURCE_FILE_NAMES.join(',')}}*.{ts,js,mts,mjs,cts,cjs}`;

export const createNodesV2: CreateNodesV2<TypeormMigrationsPluginOptions> = [
  DATA_SOURCE_FILES,
  (files, options, context) => {
    const matches = dataSourceMatcher(options?.dataSourceGlob ?? DEFAULT_DATA_SOURCE_GLOB);
    const inference = new TargetInference(options ?? {}, context);
    const projectRoots = new ProjectRoots(context.workspaceRoot);
    const results: Array<readonly [string, CreateNodesResult]> = [];
    for (const file of files) {
      if (!matches(file)) continue;
      const projectRoot = projectRoots.owning(file);
      if (projectRoot === undefined) continue;
      const targets = inference.targetsFor(projectRoot, file);
      const metadata = { targetGroups: { [TARGET_GROUP]: Object.keys(targets) } };
      results.push([file, { projects: { [projectRoot]: { targets, metadata } } }]);
    }
    return results;
  },
];

/** Nx 21 and 22 read `createNodesV2`, Nx 23 reads `createNodes`: both name the same pair. */
export const createNodes = createNodesV2;

class TargetInference {
  private readonly names: Required<TargetNames>;
  private readonly migrationsDir: string;
  private readonly workspaceEnvironments: string[];
  private readonly pluginInputs: Array<string | { externalDependencies: string[] }>;

  constructor(options: TypeormMigrationsPluginOptions, private readonly context: CreateNodesContext) {
    this.names = { ...DEFAULT_TARGET_NAMES, ...options.targetNames };
    this.migrationsDir = posix.normalize(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR).replace(/\/$/, '');
    this.workspaceEnvironments = environmentsIn(context.workspaceRoot);
    this.pluginInputs = pluginVersionInputs(context.workspaceRoot);
  }

  targetsFor(projectRoot: string, dataSourceFile: string): Record<string, TargetConfiguration> {
    const dataSource = toPosix(relative(join(this.context.workspaceRoot, projectRoot), join(this.context.workspaceRoot, dataSourceFile)));
    const options = { dataSource: `{projectRoot}/${dataSource}`, migrationsDir: `{projectRoot}/${this.migrationsDir}` };
    const environments = [...new Set([...environmentsIn(join(this.context.workspaceRoot, projectRoot)), ...this.workspaceEnvironments])].sort();
    const configurations = Object.fromEntries(environments.map((name) => [name, {}]));
    // As little as Nx needs per target (it is shipped from the plugin's worker and merged for every project):
    // not cached is Nx's default, and the descriptions are the executors' (executors.json).
    const target = (executor: string, extra: Partial<TargetConfiguration> = {}): TargetConfiguration => ({
      executor: `${PLUGIN_NAME}:${executor}`,
      options,
      configurations,
      ...extra,
    });
    return {
      [this.names.migrate]: target('migrate'),
      [this.names.status]: target('migrate-status'),
      [this.names.history]: target('migrate-history'),
      [this.names.check]: target('migrate-check', {
        cache: true,
        inputs: [
          'default',
          '^default',
          `{projectRoot}/${this.migrationsDir}/**/*`,
          `{projectRoot}/${dataSource}`,
          ...this.pluginInputs,
          { env: 'DATABASE_URL' },
        ],
        outputs: [],
      }),
      [this.names.stamp]: target('migrate-stamp'),
    };
  }
}

/**
 * A test of workspace-relative paths against a glob, matched the way Nx matches globs (compiled once). A glob that
 * only names files in any folder (the default, `data-source.{ts,js,...}` under `**`) is answered without minimatch, whose
 * loading alone costs the plugin's worker about 20 ms on every graph computation.
 */
export function dataSourceMatcher(glob: string): (file: string) => boolean {
  const names = fileNamesInAnyFolder(glob);
  if (names) {
    return (file) => {
      const segments = file.split('/');
      // minimatch's `dot: false`: no segment of the path may start with a dot.
      return names.has(segments[segments.length - 1]) && segments.every((segment) => !segment.startsWith('.'));
    };
  }
  const { Minimatch } = minimatchOfNxDevkit();
  const pattern = new Minimatch(glob, { dot: false });
  return (file) => pattern.match(file);
}

/** The file names a glob `**` + `/NAME.{a,b}` (or `/NAME.a`) stands for; undefined for any other glob. */
function fileNamesInAnyFolder(glob: string): Set<string> | undefined {
  const match = /^\*\*\/([A-Za-z0-9_.-]+?)\.(?:\{([A-Za-z0-9_,]+)\}|([A-Za-z0-9_]+))$/.exec(glob);
  if (!match) return undefined;
  const [, stem, alternatives, single] = match;
  const extensions = alternatives ? alternatives.split(',') : [single];
  if (extensions.some((extension) => extension === '')) return undefined;
  return new Set(extensions.map((extension) => `${stem}.${extension}`));
}

/**
 * `minimatch` through `@nx/devkit` (a peer dependency that declares it), so the plugin matches globs the way
 * Nx does without a dependency of its own.
 */
function minimatchOfNxDevkit(): { Minimatch: new (pattern: string, options?: { dot?: boolean }) => { match(path: string): boolean } } {
  const fromDevkit = createRequire(require.resolve('@nx/devkit/package.json'));
  return fromDevkit('minimatch');
}

/** The nearest folder at or above a file holding a `project.json` or a `package.json`: the project's root. */
class ProjectRoots {
  private readonly known = new Map<string, string | undefined>();

  constructor(private readonly workspaceRoot: string) {}

  owning(file: string): string | undefined {
    return this.of(dirname(file));
  }

  private of(folder: string): string | undefined {
    if (this.known.has(folder)) return this.known.get(folder);
    const absolute = join(this.workspaceRoot, folder);
    let root: string | undefined;
    if (existsSync(join(absolute, 'project.json')) || existsSync(join(absolute, 'package.json'))) root = folder;
    else if (folder !== '.' && folder !== '') root = this.of(dirname(folder));
    this.known.set(folder, root);
    return root;
  }
}

/** `staging` for `.env.staging` and `.staging.env`, the two spellings Nx loads for configuration `staging`. */
function environmentsIn(folder: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const entry of entries) {
    const name = /^\.env\.([A-Za-z0-9_-]+)$/.exec(entry)?.[1] ?? /^\.([A-Za-z0-9_-]+)\.env$/.exec(entry)?.[1];
    if (name && !NOT_ENVIRONMENTS.has(name)) names.push(name);
  }
  return names;
}

/**
 * What makes a `migrate-check` result stale besides the project's files: the plugin's version and TypeORM's.
 * Installed from the registry, both are external nodes of the graph; used from source (this repository
 * dogfoods itself), the plugin is files of the workspace instead.
 */
function pluginVersionInputs(workspaceRoot: string): Array<string | { externalDependencies: string[] }> {
  const pluginRoot = findPackageRoot(__dirname);
  const fromWorkspace = pluginRoot !== undefined && isInside(pluginRoot, workspaceRoot) && !pluginRoot.split(sep).includes('node_modules');
  if (!fromWorkspace) return [{ externalDependencies: [PLUGIN_NAME, 'typeorm'] }];
  const packageFolder = toPosix(relative(workspaceRoot, pluginRoot));
  const prefix = packageFolder === '' ? '{workspaceRoot}' : `{workspaceRoot}/${packageFolder}`;
  return [`${prefix}/packages/{core,adapters,commands}/src/**/*.ts`, `${prefix}/package.json`, { externalDependencies: ['typeorm'] }];
}

function findPackageRoot(start: string): string | undefined {
  let folder = start;
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === PLUGIN_NAME) return folder;
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

function isInside(path: string, folder: string): boolean {
  const relation = relative(folder, path);
  return relation === '' || (!relation.startsWith('..') && !relation.startsWith(sep));
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}
