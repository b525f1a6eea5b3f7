import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WORKSPACE_ROOT } from './workload.mjs';

/**
 * An Nx workspace as users have one, for the benchmarks that time `nx` commands: the npm packages of this
 * repository's own versions (nx, @nx/devkit, typeorm, pg) installed from the registry, the plugin packed by
 * `npm run build` and installed from its tarball, the plugin registered in `nx.json`, one project `db`, and a local
 * plugin `bench-noop-<workspace>` whose generator does nothing (what `nx g` costs before any generator runs).
 *
 * The workspace is kept under bench/.cache/ between benchmark runs (its `npm install` is most of its making); a new
 * build of the plugin is installed into it at every run.
 */
export const CACHE = join(WORKSPACE_ROOT, 'bench', '.cache');
export const PROJECT_ROOT = 'packages/db';

const rootPackage = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8'));
const version = (name) => rootPackage.devDependencies[name] ?? rootPackage.dependencies?.[name];

/** The environment of every command in the workspace: never Nx Cloud, no terminal UI, no prompt. */
export function nxEnvironment(daemon, extra = {}) {
  const env = {
    ...process.env,
    NX_DAEMON: daemon ? 'true' : 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_INTERACTIVE: 'false',
    ...extra,
  };
  // Nx runs without the daemon when it believes it is on CI unless NX_DAEMON says otherwise; no CI variable leaks in.
  delete env.CI;
  delete env.NX_SKIP_NX_CACHE;
  return env;
}

function run(cwd, command, args, env = nxEnvironment(false)) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${`${result.stdout}\n${result.stderr}`.slice(-4000)}`);
  }
  return `${result.stdout}\n${result.stderr}`;
}

/** `npm run build` of this repository: the tarball users install. */
export function buildPlugin() {
  const output = run(WORKSPACE_ROOT, process.execPath, [join(WORKSPACE_ROOT, 'tools/build.mjs')]);
  return output.trim().split('\n').pop().trim();
}

/**
 * The local plugin with the generator that does nothing; named after its workspace, since Jest, which looks at this
 * repository's folders, refuses two packages of one name outside node_modules.
 */
const noop = (name) => ({
  'package.json': { name: `bench-noop-${name}`, version: '0.0.0', private: true, generators: './generators.json' },
  'generators.json': {
    generators: { noop: { factory: './noop.js', schema: './schema.json', description: 'Does nothing.' } },
  },
  // The options of the migration generator that the benchmark passes, so both command lines read alike.
  'schema.json': {
    $schema: 'https://json-schema.org/schema',
    type: 'object',
    properties: { project: { type: 'string' }, message: { type: 'string' } },
  },
  'noop.js': 'module.exports = async function noop() {};\n',
});

/**
 * The workspace `name` (one per set of npm dependencies: `extraDependencies` adds an application's packages),
 * made on first use, with this build of the plugin installed. Returns its root and helpers to run in it.
 */
export function benchWorkspace(name, { dependencies = {}, typeorm = version('typeorm') } = {}) {
  const manifest = {
    name: `bench-${name}`,
    private: true,
    dependencies: { ...dependencies, ...(typeorm ? { typeorm } : {}), pg: version('pg'), 'reflect-metadata': version('reflect-metadata') },
    devDependencies: { nx: version('nx'), '@nx/devkit': version('@nx/devkit'), [`bench-noop-${name}`]: 'file:./tools/noop' },
  };
  const key = createHash('sha256').update(JSON.stringify(manifest)).digest('hex').slice(0, 10);
  const root = join(CACHE, `workspace-${name}-${key}`);
  const write = (file, text) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), typeof text === 'string' ? text : `${JSON.stringify(text, null, 2)}\n`);
  };
  if (!existsSync(join(root, 'node_modules', '.bench-installed'))) {
    // One workspace per name: one made for other versions goes.
    for (const entry of existsSync(CACHE) ? readdirSync(CACHE) : []) {
      if (entry.startsWith(`workspace-${name}-`)) rmSync(join(CACHE, entry), { recursive: true, force: true });
    }
    process.stderr.write(`making the Nx workspace ${root} (npm install, once)\n`);
    write('package.json', manifest);
    write('nx.json', { plugins: [{ plugin: 'nx-typeorm-migrations' }], neverConnectToCloud: true });
    write('.gitignore', 'node_modules\n.nx\n.nx-typeorm-migrations\n');
    for (const [file, content] of Object.entries(noop(name))) write(`tools/noop/${file}`, content);
    write(`${PROJECT_ROOT}/project.json`, { name: 'db', $schema: '../../node_modules/nx/schemas/project-schema.json' });
    // No install scripts: nothing the benchmarks load needs one (Nx's native code is a package of its own).
    run(root, 'npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error']);
    writeFileSync(join(root, 'node_modules', '.bench-installed'), '');
  }
  return { root, key, noop: `bench-noop-${name}:noop` };
}

/**
 * Installs the plugin's tarball into the workspace, as `npm install -D nx-typeorm-migrations@file:…` does: named
 * by its content, so a new build is a new dependency for npm.
 */
export function installPlugin(root, tarball) {
  const hash = createHash('sha256').update(readFileSync(tarball)).digest('hex').slice(0, 12);
  const folder = join(root, 'plugin');
  const file = `${basename(tarball, '.tgz')}-${hash}.tgz`;
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const spec = `file:./plugin/${file}`;
  if (manifest.devDependencies['nx-typeorm-migrations'] === spec && existsSync(join(root, 'node_modules/nx-typeorm-migrations'))) return;
  mkdirSync(folder, { recursive: true });
  for (const old of readdirSync(folder)) rmSync(join(folder, old), { force: true });
  copyFileSync(tarball, join(folder, file));
  run(root, 'npm', ['install', '-D', spec, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error']);
}

/** `node node_modules/nx/dist/bin/nx.js ARGS` in the workspace: the `nx` a user's `npx nx` runs. */
export function nxCommand(root, args) {
  return { command: process.execPath, args: [join(root, 'node_modules/nx/dist/bin/nx.js'), ...args] };
}

export function runNx(root, args, env) {
  const { command, args: argv } = nxCommand(root, args);
  return run(root, command, argv, env);
}

/** Stops the workspace's daemon, if one runs (also between workloads, so each starts on the files it times). */
export function stopDaemon(root) {
  spawnSync(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), 'daemon', '--stop'], {
    cwd: root,
    env: nxEnvironment(true),
    encoding: 'utf8',
  });
}

/** Starts the daemon and lets it compute the project graph once, as it has by the time a developer types `nx g`. */
export function startDaemon(root) {
  stopDaemon(root);
  runNx(root, ['daemon', '--start'], nxEnvironment(true));
  runNx(root, ['show', 'projects'], nxEnvironment(true));
}
