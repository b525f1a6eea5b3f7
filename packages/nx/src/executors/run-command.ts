import { isAbsolute, join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import type { ProjectContext } from '../../../commands/src/context';
import { toUserError } from '../../../commands/src/errors';
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
export async function runCommand<Result extends { success: boolean; error?: string }>(
  options: CommandTargetOptions,
  context: ExecutorContext,
  command: (project: ProjectContext, reporter: Reporter) => Promise<Result>,
): Promise<{ success: boolean }> {
  const verbose = options.verbose === true || process.env['NX_VERBOSE_LOGGING'] === 'true';
  const reporter = streamReporter({ out: options.json ? process.stderr : process.stdout, err: process.stderr });
  try {
    const result = await command(projectContextOf(options, context), reporter);
    reporter.flush();
    if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (result.error) process.stderr.write(`${result.error}\n`);
    return { success: result.success };
  } catch (error) {
    reporter.flush();
    const userError = toUserError(error, { workspaceRoot: context.root });
    process.stderr.write(`${userError.message}\n`);
    if (verbose) {
      const cause = userError.cause instanceof Error ? userError.cause : userError;
      process.stderr.write(`${cause.stack ?? String(cause)}\n`);
    }
    if (options.json) process.stdout.write(`${JSON.stringify({ success: false, error: userError.message })}\n`);
    return { success: false };
  }
}

export function projectContextOf(options: CommandTargetOptions, context: ExecutorContext): ProjectContext {
  const projectName = context.projectName;
  const project = projectName ? context.projectsConfigurations?.projects[projectName] : undefined;
  if (!projectName || !project) {
    throw new Error('This executor runs for one project: use it as `nx run PROJECT:TARGET`.');
  }
  const inWorkspace = (path: string) => (isAbsolute(path) ? path : join(context.root, path));
  return {
    workspaceRoot: context.root,
    projectRoot: inWorkspace(project.root),
    projectName,
    dataSourceFile: inWorkspace(options.dataSource),
    migrationsDir: inWorkspace(options.migrationsDir),
    env: process.env,
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
