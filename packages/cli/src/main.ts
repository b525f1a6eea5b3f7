#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { check } from '../../commands/src/check';
import type { ProjectContext } from '../../commands/src/context';
import { toUserError, verboseDetails, type ErrorContext } from '../../commands/src/errors';
import { generate } from '../../commands/src/generate';
import { history } from '../../commands/src/history';
import { importTypeorm } from '../../commands/src/import-typeorm';
import { merge } from '../../commands/src/merge';
import { migrate } from '../../commands/src/migrate';
import type { CommandOptions, Verb } from '../../commands/src/options';
import { documentOf, humanLinesOffStdout, writeOutputFile } from '../../commands/src/output';
import { rebase } from '../../commands/src/rebase';
import { cliRoute } from '../../commands/src/route';
import { streamReporter, type Reporter, type StreamReporter } from '../../commands/src/reporter';
import { stamp } from '../../commands/src/stamp';
import { status } from '../../commands/src/status';
import { parseCommandLine, resolveProject, UsageError } from './arguments';

/**
 * The `nx-typeorm-migrations` bin: every verb of the Nx targets and generators, with the same options (one table,
 * `commands/src/options.ts`). Exit codes: 0 done, 1 a user error (one sentence on stderr; the stack only with
 * `--verbose`), 2 bad usage. With `--json`, stdout carries exactly one JSON document and everything else goes to
 * stderr; with `--sql`, stdout carries exactly the script; `--output=FILE` writes the document to FILE instead.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let verbose = argv.includes('--verbose');
  let json = argv.includes('--json');
  let output: string | undefined;
  let errorContext: ErrorContext = {};
  let reporter: StreamReporter | undefined;
  /** The `--json` document of a failure, where the document of a success would have gone. */
  const failureDocument = (code: string, message: string) => {
    if (!json) return;
    const document = `${JSON.stringify({ success: false, code, error: message })}\n`;
    if (output === undefined) io.out.write(document);
    else writeOutputFile(output, io.cwd, document);
  };
  try {
    const command = parseCommandLine(argv);
    if (command.verb === 'help') {
      io.out.write(`${command.text}\n`);
      return 0;
    }
    const { verb, options } = command;
    ({ verbose, json, output } = options);
    const { projectRoot, dataSource, migrationsDir } = options;
    // How the user located the project, repeated in the commands a message suggests.
    const located = [
      projectRoot !== undefined && `--project-root=${projectRoot}`,
      dataSource !== undefined && `--data-source=${dataSource}`,
      migrationsDir !== undefined && `--migrations-dir=${migrationsDir}`,
    ].filter(Boolean);
    const route = cliRoute(verb, located.join(' '));
    errorContext = { route };
    const context = { ...resolveProject(options, io.cwd, io.env), route };
    errorContext = context;
    reporter = streamReporter({ out: humanLinesOffStdout(verb, options) ? io.err : io.out, err: io.err });
    const result = await runVerb(verb, context, options, reporter, io);
    reporter.flush();
    const document = documentOf(verb, options, result);
    if (document !== undefined && output !== undefined) {
      const file = output;
      // A file that cannot be written is not tried again for the failure's document.
      output = undefined;
      const path = writeOutputFile(file, io.cwd, document);
      io.err.write(`Wrote ${relative(io.cwd, path).startsWith('..') ? path : relative(io.cwd, path)}\n`);
    } else if (document !== undefined) {
      io.out.write(document);
    }
    if (result.error) io.err.write(`${result.error}\n`);
    if (verbose && result.failure) io.err.write(`${verboseDetails(result.failure)}\n`);
    return result.success ? 0 : 1;
  } catch (error) {
    reporter?.flush();
    if (error instanceof UsageError) {
      io.err.write(`${error.message}\n`);
      if (json) io.out.write(`${JSON.stringify({ success: false, code: error.code, error: error.message })}\n`);
      return 2;
    }
    const userError = toUserError(error, errorContext);
    io.err.write(`${userError.message}\n`);
    if (verbose) io.err.write(`${verboseDetails(userError)}\n`);
    try {
      failureDocument(userError.code, userError.message);
    } catch (writeError) {
      io.err.write(`${(writeError as Error).message}\n`);
    }
    return userError.exitCode;
  }
}

interface VerbResult {
  readonly success: boolean;
  readonly error?: string;
  readonly failure?: Error;
}

/** One verb: the command the Nx target or generator of the same name calls, files written to disk. */
async function runVerb(
  verb: Verb,
  context: ProjectContext,
  options: CommandOptions,
  reporter: Reporter,
  io: CliIo,
): Promise<VerbResult> {
  const lockTimeoutSeconds = options.lockTimeoutSeconds;
  switch (verb) {
    case 'migrate':
      return migrate(
        context,
        {
          to: options.to,
          sql: options.sql,
          from: options.from,
          lockTimeoutSeconds,
          stepLockTimeout: options.stepLockTimeout,
          stepStatementTimeout: options.stepStatementTimeout,
          lockRetries: options.lockRetries,
          lock: options.lock,
          yes: options.yes,
          confirm: io.interactive ? (question) => io.confirm(question) : undefined,
        },
        reporter,
      );
    case 'status':
      return status(
        context,
        { checkHeads: options.checkHeads, drift: options.drift, shadowDatabaseUrl: options.shadowDatabaseUrl, lockTimeoutSeconds },
        reporter,
      );
    case 'history':
      return history(
        context,
        { range: options.range, show: options.show, branches: options.branches, verbose: options.verbose, format: options.format, lockTimeoutSeconds },
        reporter,
      );
    case 'stamp':
      return stamp(context, { to: options.to!, purge: options.purge, lock: options.lock, lockTimeoutSeconds }, reporter);
    case 'check':
      return check(
        context,
        { base: options.base, full: options.full, shadowDatabaseUrl: options.shadowDatabaseUrl, lockTimeoutSeconds, include: options.include, exclude: options.exclude },
        reporter,
      );
    case 'revision': {
      const result = await generate(
        context,
        {
          message: options.message ?? '',
          empty: options.empty,
          head: options.head,
          splice: options.splice,
          branchLabel: options.branchLabel,
          dependsOn: options.dependsOn,
          revId: options.revId,
          against: options.against,
          shadowDatabaseUrl: options.shadowDatabaseUrl,
          include: options.include,
          exclude: options.exclude,
          renames: options.rename,
          confirmRename: io.interactive ? (question) => io.confirm(question) : undefined,
          lockTimeoutSeconds,
        },
        reporter,
      );
      for (const file of result.changed ? result.files : []) {
        mkdirSync(dirname(file.path), { recursive: true });
        writeFileSync(file.path, file.content, { flag: 'wx' });
      }
      return { success: true };
    }
    case 'merge': {
      if (options.message === undefined) throw new UsageError('merge needs --message="..." (or -m).');
      const planned = merge(context, { message: options.message, revisions: options.revisions, revisionId: options.revId });
      reporter.info(`Merge revision ${planned.revision}: ${relative(context.workspaceRoot, planned.path)}`);
      return { success: true };
    }
    case 'rebase': {
      const result = await rebase(context, { onto: options.onto, branch: options.branch }, reporter);
      const files = result.files.map((file) => relative(context.workspaceRoot, file.path));
      reporter.info(
        `Rebased ${result.moved.join(', ')} onto ${result.onto}: ${files.join(', ')} now revise${files.length === 1 ? 's' : ''} ` +
          `${result.onto}. ${result.databaseNote}.`,
      );
      return { success: true };
    }
    case 'import-typeorm': {
      const imported = await importTypeorm(context);
      reporter.info(imported.report);
      return { success: true };
    }
  }
}

export interface CliIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A person can answer questions (stdin and stderr are terminals). */
  readonly interactive: boolean;
  confirm(question: string): Promise<boolean>;
}

function processIo(): CliIo {
  return {
    out: process.stdout,
    err: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    async confirm(question) {
      const prompt = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const answer = await prompt.question(`${question} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        prompt.close();
      }
    },
  };
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`Unexpected error: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
