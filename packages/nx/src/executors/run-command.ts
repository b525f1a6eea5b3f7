import { isAbsolute, join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import type { ProjectContext } from '../../../commands/src/context';
import { toUserError, UserError, verboseDetails } from '../../../commands/src/errors';
import { nxRoute, type Route, type TargetVerb } from '../../../commands/src/route';
import { streamReporter, type Reporter } from '../../../commands/src/reporter';

/** The options every inferred target carries (`{projectRoot}` already replaced by Nx) plus the output switches. */
export interface CommandTargetOptions {
  dataSource: string;
  migrationsDir: string;
  json?: boolean;
  verbose?: boolean;
  lockTimeout?: number;
}

/**
 * What every executor does around its one command: builds the project's context from Nx's, reports to the
 * terminal (to stderr with `--json`, whose one JSON document goes to stdout), and turns any failure into one
 * sentence and `{ success: false }` — the stack trace only with `--verbose`.
 */
export async function runCommand<Result extends { success: boolean; error?: string; failure?: Error }>(
  options: CommandTargetOptions,
  context: ExecutorContext,
  command: (project: ProjectContext, reporter: Reporter) => Promise<Result>,
): Promise<{ success: boolean }> {
  const verbose = options.verbose === true || process.env['NX_VERBOSE_LOGGING'] === 'true';
  const reporter = streamReporter({ out: options.json ? process.stderr : process.stdout, err: process.stderr });
  const route = routeOfExecutor(context);
  try {
    const result = await command(projectContextOf(options, context), reporter);
    reporter.flush();
    if (options.json) process.stdout.write(`${JSON.stringify({ ...result, failure: undefined }, null, 2)}\n`);
    if (result.error) process.stderr.write(`${result.error}\n`);
    if (verbose && result.failure) process.stderr.write(`${verboseDetails(result.failure)}\n`);
    return { success: result.success };
  } catch (error) {
    reporter.flush();
    const userError = toUserError(error, {
      workspaceRoot: context.root,
      projectName: context.projectName,
      migrationsDir: options.migrationsDir && inWorkspace(context, options.migrationsDir),
      route,
    });
    process.stderr.write(`${userError.message}\n`);
    if (verbose) process.stderr.write(`${verboseDetails(userError)}\n`);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ success: false, code: userError.code, error: userError.message })}\n`);
    }
    return { success: false };
  }
}

/** The executor this plugin registers for each verb, as `nx show project` lists it. */
const EXECUTORS: Readonly<Record<TargetVerb, string>> = {
  migrate: 'nx-typeorm-migrations:migrate',
  status: 'nx-typeorm-migrations:migrate-status',
  history: 'nx-typeorm-migrations:migrate-history',
  check: 'nx-typeorm-migrations:migrate-check',
  stamp: 'nx-typeorm-migrations:migrate-stamp',
};

/**
 * The route of a target run: the target the user ran (by the name they typed, renamed or not) and the project's
 * names of the other targets, found by their executor.
 */
export function routeOfExecutor(context: ExecutorContext): Route {
  const project = context.projectName ?? 'PROJECT';
  const targets = (project && context.projectsConfigurations?.projects[project]?.targets) || {};
  const names: Partial<Record<TargetVerb, string>> = {};
  for (const [verb, executor] of Object.entries(EXECUTORS) as Array<[TargetVerb, string]>) {
    const name = Object.keys(targets).find((target) => targets[target]?.executor === executor);
    if (name) names[verb] = name;
  }
  return nxRoute(project, context.targetName ?? names.migrate ?? 'migrate', names);
}

function inWorkspace(context: ExecutorContext, path: string): string {
  return isAbsolute(path) ? path : join(context.root, path);
}

export function projectContextOf(options: CommandTargetOptions, context: ExecutorContext): ProjectContext {
  const projectName = context.projectName;
  const project = projectName ? context.projectsConfigurations?.projects[projectName] : undefined;
  if (!projectName || !project) {
    throw new UserError('This executor runs for one project: use it as `nx run PROJECT:TARGET`.', { code: 'NO_PROJECT' });
  }
  return {
    workspaceRoot: context.root,
    projectRoot: inWorkspace(context, project.root),
    projectName,
    dataSourceFile: inWorkspace(context, options.dataSource),
    migrationsDir: inWorkspace(context, options.migrationsDir),
    env: process.env,
    route: routeOfExecutor(context),
  };
}

/**
 * `--to` as the commands read it. Nx's argument parser turns `--to=-1` and `--to=+1` into numbers (and `+1` into
 * `1`), so a number is a relative step: `+N` or `-N`.
 */
export function targetOf(to: string | number | undefined): string | undefined {
  if (typeof to !== 'number') return to;
  return to > 0 ? `+${to}` : String(to);
}

/** The question a downgrade of a remote database asks, when a person is at the terminal to answer it. */
export function terminalConfirm(): ((question: string) => Promise<boolean>) | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return async (question) => {
    const { createInterface } = await import('node:readline/promises');
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
    } finally {
      prompt.close();
    }
  };
}
