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
