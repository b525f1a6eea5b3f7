import { isAbsolute, join, relative } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import type { ProjectContext } from '../../../commands/src/context';
import { toUserError, UserError, verboseDetails } from '../../../commands/src/errors';
import { nxRoute, type Route, type TargetVerb } from '../../../commands/src/route';
import { readNxOptions, UsageError, type CommandOptions, type Verb as OptionVerb } from '../../../commands/src/options';
import { documentOf, humanLinesOffStdout, writeOutputFile } from '../../../commands/src/output';
import { streamReporter, type Reporter } from '../../../commands/src/reporter';

/**
 * The options every inferred target carries (`{projectRoot}` already replaced by Nx), the output switches, and the
 * arguments as typed (`__unparsed__`, filled by Nx from the schema's `"$default": { "$source": "unparsed" }`).
 */
export interface CommandTargetOptions {
  dataSource: string;
  migrationsDir: string;
  json?: boolean;
  verbose?: boolean;
  lockTimeout?: number | string;
  output?: string;
  __unparsed__?: string[];
}

/**
 * What every executor does around its one command: reads and checks the options through the table every route
 * shares (an unknown option or a value that does not parse stops here, before any database is touched), builds the
 * project's context from Nx's, reports to the terminal (to stderr when stdout carries `--json` or `--sql`), writes
 * the document to `--output` when asked, and turns any failure into one sentence and `{ success: false }` (Nx then
 * exits 1, bad usage included) — the stack trace only with `--verbose`.
 */
export async function runCommand<Result extends { success: boolean; error?: string; failure?: Error }>(
  verb: OptionVerb,
  options: CommandTargetOptions,
  context: ExecutorContext,
  command: (project: ProjectContext, options: CommandOptions, reporter: Reporter) => Promise<Result>,
): Promise<{ success: boolean }> {
  let verbose = options.verbose === true || process.env['NX_VERBOSE_LOGGING'] === 'true';
  const json = options.json === true;
  let commandOptions: CommandOptions;
  try {
    commandOptions = readNxOptions(verb, options as unknown as Readonly<Record<string, unknown>>, options.__unparsed__);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    if (json) process.stdout.write(`${JSON.stringify({ success: false, code: error.code, error: error.message })}\n`);
    return { success: false };
  }
  verbose ||= commandOptions.verbose;
  const cwd = context.cwd ?? context.root;
  let output = commandOptions.output;
  const reporter = streamReporter({
    out: humanLinesOffStdout(verb, commandOptions) ? process.stderr : process.stdout,
    err: process.stderr,
  });
  const route = routeOfExecutor(context);
  try {
    const result = await command(projectContextOf(commandOptions, context), commandOptions, reporter);
    reporter.flush();
    const document = documentOf(verb, commandOptions, result);
    if (document !== undefined && output !== undefined) {
      const file = output;
      // A file that cannot be written is not tried again for the failure's document.
      output = undefined;
      const path = writeOutputFile(file, cwd, document);
      process.stderr.write(`Wrote ${relative(cwd, path).startsWith('..') ? path : relative(cwd, path)}\n`);
    } else if (document !== undefined) {
      process.stdout.write(document);
    }
    if (result.error) process.stderr.write(`${result.error}\n`);
    if (verbose && result.failure) process.stderr.write(`${verboseDetails(result.failure)}\n`);
    return { success: result.success };
  } catch (error) {
    reporter.flush();
    const userError = toUserError(error, {
      workspaceRoot: context.root,
      projectName: context.projectName,
      migrationsDir: commandOptions.migrationsDir && inWorkspace(context, commandOptions.migrationsDir),
      route,
    });
    process.stderr.write(`${userError.message}\n`);
    if (verbose) process.stderr.write(`${verboseDetails(userError)}\n`);
    if (json) {
      const document = `${JSON.stringify({ success: false, code: userError.code, error: userError.message })}\n`;
      if (output === undefined) process.stdout.write(document);
      else writeOutputFile(output, cwd, document);
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

export function projectContextOf(options: Pick<CommandOptions, 'dataSource' | 'migrationsDir'>, context: ExecutorContext): ProjectContext {
  const projectName = context.projectName;
  const project = projectName ? context.projectsConfigurations?.projects[projectName] : undefined;
  if (!projectName || !project) {
    throw new UserError('This executor runs for one project: use it as `nx run PROJECT:TARGET`.', { code: 'NO_PROJECT' });
  }
  if (!options.dataSource || !options.migrationsDir) {
    throw new UserError('This executor needs the dataSource and migrationsDir options, which the plugin sets on the targets it infers.', {
      code: 'NO_PROJECT',
    });
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
