import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, relative, sep } from 'node:path';
import {
  createNodesFromFiles,
  detectPackageManager,
  getPackageManagerCommand,
  type CreateNodesContext,
  type CreateNodesResult,
  type CreateNodesV2,
  type PreTasksExecution,
  type TargetConfiguration,
} from '@nx/devkit';

/** The options of `{ "plugin": "nx-typeorm-migrations", "options": {...} }` in `nx.json`. */
export interface TypeormMigrationsPluginOptions {
  /** Which files are data sources, relative to the workspace root. */
  dataSourceGlob?: string;
  /** Where a project's migrations live, relative to the project root. */
  migrationsDir?: string;
  targetNames?: TargetNames;
  /**
   * Environment variables whose value changes what `migrate-check` finds (feature flags read while the data
   * source loads, a schema chosen by `NODE_ENV`...): each becomes an `{ env }` input of `migrate-check`, so a
   * change of value is a cache miss. `DATABASE_URL` is always one.
   */
  checkEnvInputs?: string[];
  /**
   * Which tables autogenerate and `migrate-check` compare (Alembic's `include_object`): `include` and `exclude`
   * patterns (`legacy_*`, `audit.*` for a schema), e.g. tables of an extension or another service, which would
   * otherwise be dropped as tables no entity owns.
   */
  autogenerate?: { include?: string[]; exclude?: string[] };
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
export const DEFAULT_CHECK_ENV_INPUTS = ['DATABASE_URL', 'NODE_ENV'];
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
    // One file at a time through Nx's helper: a data source whose project cannot be read is reported with its
    // file name, and the other projects keep their targets.
    return createNodesFromFiles(
      (file): CreateNodesResult => {
        const projectRoot = projectRoots.owning(file);
        if (projectRoot === undefined) return {};
        const targets = inference.targetsFor(projectRoot, file);
        const metadata = { targetGroups: { [TARGET_GROUP]: Object.keys(targets) } };
        return { projects: { [projectRoot]: { targets, metadata } } };
      },
      files.filter(matches),
      options,
      context,
    );
  },
];

/** Nx 21 and 22 read `createNodesV2`, Nx 23 reads `createNodes`: both name the same pair. */
export const createNodes = createNodesV2;

/**
 * The variable `preTasksExecution` sets to a new value for every Nx command, which the live-database input of
 * `migrate-check` prints. Nx's daemon keeps the outputs of `runtime` inputs for as long as it lives, keyed by the
 * command and its environment; this value makes that key new on each command, so the input is computed again.
 */
export const RUN_ID_VARIABLE = 'NX_TYPEORM_MIGRATIONS_RUN';
/** Set by `preTasksExecution` when the command line asks for `--against=database`: a check of a live database. */
export const AGAINST_DATABASE_VARIABLE = 'NX_TYPEORM_MIGRATIONS_AGAINST_DATABASE';

/**
 * The `runtime` input that keeps a check of a live database out of Nx's cache. Nx runs it with the task's own
 * environment (`.env.<configuration>` included): with a database to check (a non-empty `DATABASE_URL`, or
 * `--against=database`) it prints a value that differs on every command, so such a run is never served from the
 * cache; otherwise it prints a constant, and checks of files alone are cached as before.
 */
export const LIVE_DATABASE_INPUT = {
  runtime:
    `node -e "const live=(process.env.DATABASE_URL||'').trim()||process.env.${AGAINST_DATABASE_VARIABLE};` +
    `process.stdout.write(live?'live database, run '+(process.env.${RUN_ID_VARIABLE}||Date.now()+'-'+Math.random()):'files only')"`,
};

/** Before Nx hashes any task: a fresh run id (see `RUN_ID_VARIABLE`) and whether a live database is asked for. */
export const preTasksExecution: PreTasksExecution<TypeormMigrationsPluginOptions> = (_options, context) => {
  process.env[RUN_ID_VARIABLE] = randomUUID();
  const argv = context.argv ?? [];
  const against = argv.findIndex((argument) => argument === '--against' || argument.startsWith('--against='));
  const value = against < 0 ? undefined : argv[against].includes('=') ? argv[against].split('=')[1] : argv[against + 1];
  if (value === 'database') process.env[AGAINST_DATABASE_VARIABLE] = 'true';
};

/** What `nx show project` and Nx Console say of each target, and the CLI verb that prints its options. */
const TARGET_DESCRIPTIONS: Record<keyof TargetNames, { executor: string; verb: string; description: string; example: Record<string, unknown> }> = {
  migrate: {
    executor: 'migrate',
    verb: 'migrate',
    description: 'Moves the database to a revision (--to, default head), up or down as the target requires.',
    example: { to: 'head' },
  },
  status: {
    executor: 'migrate-status',
    verb: 'status',
    description: 'Shows the current revision(s) of the database, whether it is at head, and the pending migrations.',
    example: { checkHeads: true },
  },
  history: {
    executor: 'migrate-history',
    verb: 'history',
    description: 'Shows the revision graph, marking the current revision when the database answers.',
    example: { format: 'graph' },
  },
  check: {
    executor: 'migrate-check',
    verb: 'check',
    description:
      'CI gate without a live database: one head, a sound graph, every migration upgrades and downgrades, entities match migrations, no risky SQL. Cached, except when it checks a live database.',
    example: { base: 'origin/main' },
  },
  stamp: {
    executor: 'migrate-stamp',
    verb: 'stamp',
    description: 'Sets the version table to a revision without running migrations.',
    example: { to: 'head' },
  },
};

class TargetInference {
  private readonly names: Required<TargetNames>;
  private readonly migrationsDir: string;
  private readonly workspaceEnvironments: string[];
  private readonly pluginInputs: Array<string | { externalDependencies: string[] }>;
  private readonly envInputs: Array<{ env: string }>;
  private readonly exec: string;
  private readonly tableFilter: { include?: string[]; exclude?: string[] };

  constructor(options: TypeormMigrationsPluginOptions, private readonly context: CreateNodesContext) {
    this.tableFilter = {
      ...(options.autogenerate?.include?.length ? { include: options.autogenerate.include } : {}),
      ...(options.autogenerate?.exclude?.length ? { exclude: options.autogenerate.exclude } : {}),
    };
    this.names = { ...DEFAULT_TARGET_NAMES, ...options.targetNames };
    this.migrationsDir = posix.normalize(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR).replace(/\/$/, '');
    this.workspaceEnvironments = environmentsIn(context.workspaceRoot);
    this.pluginInputs = pluginVersionInputs(context.workspaceRoot);
    const variables = new Set(['DATABASE_URL', ...(options.checkEnvInputs ?? DEFAULT_CHECK_ENV_INPUTS)]);
    this.envInputs = [...variables].map((env) => ({ env }));
    this.exec = getPackageManagerCommand(detectPackageManager(context.workspaceRoot)).exec;
  }

  targetsFor(projectRoot: string, dataSourceFile: string): Record<string, TargetConfiguration> {
    const dataSource = toPosix(relative(join(this.context.workspaceRoot, projectRoot), join(this.context.workspaceRoot, dataSourceFile)));
    const options = { dataSource: `{projectRoot}/${dataSource}`, migrationsDir: `{projectRoot}/${this.migrationsDir}` };
    const environments = [...new Set([...environmentsIn(join(this.context.workspaceRoot, projectRoot)), ...this.workspaceEnvironments])].sort();
    const configurations = Object.fromEntries(environments.map((name) => [name, {}]));
    const target = (kind: keyof TargetNames, extra: Partial<TargetConfiguration> = {}): TargetConfiguration => {
      const { executor, verb, description, example } = TARGET_DESCRIPTIONS[kind];
      return {
        executor: `${PLUGIN_NAME}:${executor}`,
        options,
        configurations,
        ...extra,
        metadata: {
          technologies: ['typeorm'],
          description,
          help: { command: `${this.exec} nx-typeorm-migrations ${verb} --help`, example: { options: example } },
        },
      };
    };
    const [projectFiles, dependencyFiles] = this.hasProductionInputs(projectRoot) ? ['production', '^production'] : ['default', '^default'];
    return {
      [this.names.migrate]: target('migrate'),
      [this.names.status]: target('status'),
      [this.names.history]: target('history'),
      [this.names.check]: target('check', {
        options: { ...options, ...this.tableFilter },
        cache: true,
        inputs: [
          projectFiles,
          dependencyFiles,
          `{projectRoot}/${this.migrationsDir}/**/*`,
          `{projectRoot}/${dataSource}`,
          ...this.pluginInputs,
          ...this.envInputs,
          LIVE_DATABASE_INPUT,
        ],
        outputs: [],
      }),
      [this.names.stamp]: target('stamp'),
    };
  }

  /** Whether the workspace (`nx.json`) or the project (`project.json`, `package.json` `nx`) names `production` inputs. */
  private hasProductionInputs(projectRoot: string): boolean {
    if (this.context.nxJsonConfiguration?.namedInputs?.['production'] !== undefined) return true;
    for (const [file, read] of [
      ['project.json', (json: { namedInputs?: object }) => json.namedInputs],
      ['package.json', (json: { nx?: { namedInputs?: object } }) => json.nx?.namedInputs],
    ] as const) {
      const path = join(this.context.workspaceRoot, projectRoot, file);
      if (!existsSync(path)) continue;
      try {
        const namedInputs = (read as (json: unknown) => object | undefined)(JSON.parse(readFileSync(path, 'utf8')));
        if (namedInputs !== undefined && 'production' in namedInputs) return true;
      } catch (error) {
        // A project file that is not JSON is Nx's to report; it names no inputs here. Any other failure (a file
        // that cannot be read) is this data source's, reported by Nx with its name.
        if (!(error instanceof SyntaxError)) throw error;
      }
    }
    return false;
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
