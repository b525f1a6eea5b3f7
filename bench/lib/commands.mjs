import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './workload.mjs';

/**
 * The command lines the benchmarks time. Our CLI runs from this repository's sources through
 * `@swc-node/register` (what the executors do in this workspace), so its own start-up transpilation is included.
 */
export const OUR_CLI_DESCRIPTION = 'packages/cli/src/main.ts via @swc-node/register';

export function ourCli(verb, projectRoot, extra = []) {
  return {
    command: process.execPath,
    args: [
      '-r',
      modulePath('@swc-node/register'),
      join(WORKSPACE_ROOT, 'packages/cli/src/main.ts'),
      verb,
      `--project-root=${projectRoot}`,
      ...extra,
    ],
  };
}

export const BUILT_CLI = join(WORKSPACE_ROOT, 'dist/packages/cli/src/main.js');
export const BUILT_CLI_DESCRIPTION = 'dist/packages/cli/src/main.js (npm run build), as published';

/** The CLI compiled by `npm run build`: what users of the published package run. */
export function builtCli(verb, projectRoot, extra = []) {
  return { command: process.execPath, args: [BUILT_CLI, verb, `--project-root=${projectRoot}`, ...extra] };
}

/**
 * Why the built CLI cannot be measured (not built, or older than a source file of the packages it is built
 * from), or `undefined` when it can.
 */
export function builtCliUnavailable() {
  if (!existsSync(BUILT_CLI)) return 'dist/ is not built (npm run build)';
  const builtAt = statSync(BUILT_CLI).mtimeMs;
  const newer = ['core', 'adapters', 'commands', 'cli']
    .flatMap((name) => sourceFiles(join(WORKSPACE_ROOT, 'packages', name, 'src')))
    .find((file) => statSync(file).mtimeMs > builtAt);
  return newer ? `dist/ is older than ${newer.slice(WORKSPACE_ROOT.length + 1)} (npm run build)` : undefined;
}

function sourceFiles(folder) {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

/** TypeORM's documented TypeScript entry: `typeorm-ts-node-commonjs` (= `ts-node/register` + `typeorm/cli.js`). */
export function typeormCli(args) {
  return {
    command: process.execPath,
    args: [join(WORKSPACE_ROOT, 'node_modules/typeorm/cli-ts-node-commonjs.js'), ...args],
  };
}

/** The dogfood project of this repository, inferred by the plugin (nx.json). */
export const DOGFOOD_PROJECT = join(WORKSPACE_ROOT, 'packages/backend');

export function nxRun(target, extra = []) {
  return {
    command: process.execPath,
    args: [join(WORKSPACE_ROOT, 'node_modules/nx/dist/bin/nx.js'), 'run', target, ...extra],
  };
}

export function psql(url, file) {
  return { command: 'psql', args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', file] };
}

function modulePath(name) {
  return join(WORKSPACE_ROOT, 'node_modules', name);
}
