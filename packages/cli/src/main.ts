#!/usr/bin/env node
import { createInterface } from 'node:readline/promises';
import { toUserError, verboseDetails, type ErrorContext } from '../../commands/src/errors';
import { history } from '../../commands/src/history';
import { migrate } from '../../commands/src/migrate';
import { streamReporter, type StreamReporter } from '../../commands/src/reporter';
import { stamp } from '../../commands/src/stamp';
import { status } from '../../commands/src/status';
import { cliRoute } from '../../commands/src/route';
import {
  historyFormat,
  parseCommandLine,
  parseLockRetries,
  parseLockTimeout,
  resolveProject,
  USAGE,
  UsageError,
} from './arguments';

/**
 * The `nx-typeorm-migrations` bin. Exit codes: 0 done, 1 a user error (one sentence on stderr; the stack only with
 * `--verbose`), 2 bad usage. With `--json`, stdout carries exactly one JSON document and everything else goes to
 * stderr.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let verbose = argv.includes('--verbose');
  let json = argv.includes('--json');
  let errorContext: ErrorContext = {};
  let reporter: StreamReporter | undefined;
  try {
    const command = parseCommandLine(argv);
    if (command.verb === 'help') {
      io.out.write(`${USAGE}\n`);
      return 0;
    }
    verbose = command.verbose;
    json = command.json;
    const { projectRoot, dataSource, migrationsDir } = command.project;
    const route = cliRoute(
      command.verb,
      [
        projectRoot !== undefined && `--project-root=${projectRoot}`,
        dataSource !== undefined && `--data-source=${dataSource}`,
        migrationsDir !== undefined && `--migrations-dir=${migrationsDir}`,
      ]
        .filter(Boolean)
        .join(' '),
    );
    errorContext = { route };
    const context = { ...resolveProject(command.project, io.cwd, io.env), route };
    errorContext = context;
    reporter = streamReporter({ out: json ? io.err : io.out, err: io.err });
    const values = command.values;
    const lockTimeoutSeconds = values['lock-timeout'] === undefined ? undefined : parseLockTimeout(String(values['lock-timeout']));
    let result: { success: boolean; error?: string; code?: string; failure?: Error };
    switch (command.verb) {
      case 'migrate':
        result = await migrate(
          context,
          {
            to: values['to'] as string | undefined,
            sql: values['sql'] === true,
            from: values['from'] as string | undefined,
            lockTimeoutSeconds,
            stepLockTimeout: values['step-lock-timeout'] as string | undefined,
            stepStatementTimeout: values['step-statement-timeout'] as string | undefined,
            lockRetries: values['lock-retries'] === undefined ? undefined : parseLockRetries(String(values['lock-retries'])),
            yes: values['yes'] === true,
            confirm: io.interactive ? (question) => io.confirm(question) : undefined,
          },
          json && values['sql'] ? streamReporter({ out: io.err, err: io.err }) : reporter,
        );
        break;
      case 'status':
        result = await status(context, { checkHeads: values['check-heads'] === true, lockTimeoutSeconds }, reporter);
        break;
      case 'history':
        result = await history(
          context,
          {
            range: values['range'] as string | undefined,
            show: values['show'] as string | undefined,
            branches: values['branches'] === true,
            verbose: values['verbose'] === true,
            format: historyFormat(values['format']),
            lockTimeoutSeconds,
          },
          json ? streamReporter({ out: io.err, err: io.err }) : reporter,
        );
        break;
      case 'stamp':
        result = await stamp(context, { to: String(values['to']), purge: values['purge'] === true, lockTimeoutSeconds }, reporter);
        break;
    }
    reporter.flush();
    if (json) io.out.write(`${JSON.stringify({ ...result, failure: undefined }, null, 2)}\n`);
    if (result.error) io.err.write(`${result.error}\n`);
    if (verbose && result.failure) io.err.write(`${verboseDetails(result.failure)}\n`);
    return result.success ? 0 : 1;
  } catch (error) {
    reporter?.flush();
    if (error instanceof UsageError) {
      io.err.write(`${error.message}\n`);
      if (json) io.out.write(`${JSON.stringify({ success: false, error: error.message })}\n`);
      return 2;
    }
    const userError = toUserError(error, errorContext);
    io.err.write(`${userError.message}\n`);
    if (verbose) io.err.write(`${verboseDetails(userError)}\n`);
    if (json) io.out.write(`${JSON.stringify({ success: false, code: userError.code, error: userError.message })}\n`);
    return userError.exitCode;
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
