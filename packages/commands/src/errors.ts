import { relative } from 'node:path';
import { RevisionError } from '../../core/src/errors';
import { MigrationFileError } from '../../core/src/migration-file';
import { DuplicateRevisionError } from '../../adapters/src/fs/migration-directory';
import { DatabaseUrlError, redactUrl } from '../../adapters/src/typeorm/connection';
import {
  DatabaseBusyError,
  DatabaseConnectionError,
  DataSourceFileError,
} from '../../adapters/src/typeorm/data-source';
import { FolderLockTimeoutError, LockTimeoutError } from '../../adapters/src/typeorm/lock';
import { MigrationStepError } from '../../adapters/src/typeorm/runner';
import { loadFailureBehind } from '../../adapters/src/typescript/esm-loader';
import { firstLineOf, ImportNotFoundError, ModuleLoadError } from '../../adapters/src/typescript/load-errors';
import { TypeScriptSyntaxError } from '../../adapters/src/typescript/typescript-loader';
import { TableCollisionError } from '../../adapters/src/typeorm/autogenerate/collisions';
import { RenameHintError } from '../../adapters/src/typeorm/autogenerate/renames';

/**
 * An error a user can act on: its message is one sentence saying what is wrong and what to do, printed without a
 * stack trace (unless `--verbose`), exit code 1. Commands turn every other error into one of these, once.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  readonly exitCode = 1;
}

/** Where paths in messages are shown from (the workspace root), when known. */
export interface ErrorContext {
  readonly workspaceRoot?: string;
}

const STATEMENT_SHOWN = 300;

/**
 * The only place that turns core and adapter errors into a user's words: one sentence naming the revision, the
 * file or the statement, and what to do. Anything unforeseen keeps its message and asks for `--verbose`.
 */
export function toUserError(error: unknown, context: ErrorContext = {}): UserError {
  if (error instanceof UserError) return error;
  // A user's ES module that TypeORM imported itself failed to resolve or compile: the loader's own error says which.
  const loadFailure = loadFailureBehind(error);
  if (loadFailure && loadFailure !== error) return toUserError(loadFailure, context);
  const shown = (file: string) => {
    if (!context.workspaceRoot) return file;
    const path = relative(context.workspaceRoot, file);
    return path && !path.startsWith('..') ? path : file;
  };
  const wrap = (message: string) => {
    const userError = new UserError(message);
    userError.cause = error;
    return userError;
  };

  if (error instanceof RevisionError) return wrap(error.message);
  if (error instanceof MigrationFileError) return wrap(`${shown(error.file)}: ${error.problem}`);
  if (error instanceof DuplicateRevisionError) {
    return wrap(
      `Revision ${error.revision} is declared by both ${error.files.map(shown).join(' and ')}; give one of them a new revision id.`,
    );
  }
  if (error instanceof TypeScriptSyntaxError) {
    return wrap(`${shown(error.file)} does not compile: ${error.detail}; fix the file and run again.`);
  }
  if (error instanceof DataSourceFileError) return wrap(`${shown(error.file)}: ${error.problem}`);
  if (error instanceof ImportNotFoundError) {
    return wrap(
      `${error.message.replace(error.file, shown(error.file))}; correct the import (a path alias needs its tsconfig \`paths\`), or create the file.`,
    );
  }
  if (error instanceof ModuleLoadError) {
    return wrap(`${shown(error.file)} failed while loading: ${firstLineOf(error.cause)}; fix it (or what it imports) and run again.`);
  }
  if (error instanceof DatabaseUrlError) return wrap(error.message);
  if (error instanceof DatabaseConnectionError) return wrap(connectionMessage(error));
  if (error instanceof DatabaseBusyError) {
    return wrap(
      `${error.description.replace(/^Database: /, 'The database ')} stayed busy for ${seconds(error.waitedMs)}: ` +
        'another process holds its only connection (PGlite serves one at a time); wait for it to finish, or raise --lock-timeout.',
    );
  }
  if (error instanceof LockTimeoutError) {
    const holder = error.holder
      ? `${error.holder.application || 'a session without application_name'}` +
        (error.holder.since ? ` since ${error.holder.since.toISOString()}` : '')
      : 'another migration run';
    return wrap(
      `The migration lock is held by ${holder}; waited ${seconds(error.waitedMs)}. ` +
        'Wait for that run to finish, or raise --lock-timeout.',
    );
  }
  if (error instanceof FolderLockTimeoutError) {
    return wrap(
      `The embedded database is in use by process ${error.holderPid} on ${error.holderHost}` +
        `${error.since ? ` since ${error.since.toISOString()}` : ''} (lock file ${shown(error.lockFile)}); waited ` +
        `${seconds(error.waitedMs)}. Wait for it to finish or stop it, or raise --lock-timeout.`,
    );
  }
  if (error instanceof MigrationStepError) return wrap(stepMessage(error, shown));
  if (error instanceof TableCollisionError || error instanceof RenameHintError) return wrap(error.message);
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    return wrap(`The database refused a request: ${redactUrl(firstLine(message))} (SQLSTATE ${code}).`);
  }
  return wrap(`Unexpected error: ${redactUrl(firstLine(message))}; run again with --verbose for details.`);
}

function connectionMessage(error: DatabaseConnectionError): string {
  const where = error.description.replace(/^Database: /, '');
  switch (error.code) {
    case 'ECONNREFUSED':
      return `Cannot connect to ${where}: the connection was refused; start the database server, or correct the host and port.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Cannot connect to ${where}: the host name does not resolve; correct the host in the URL.`;
    case 'ETIMEDOUT':
      return `Cannot connect to ${where}: the connection timed out; check the host, the port and any firewall in between.`;
    case '28P01':
    case '28000':
      return (
        `Cannot connect to ${where}: the server rejected the password${error.user ? ` of user ${error.user}` : ''}; ` +
        'correct the password in DATABASE_URL or in the data source.'
      );
    case '3D000':
      return (
        `Cannot connect to ${where}: database ${error.database ?? ''} does not exist; create it ` +
        `(createdb ${error.database ?? 'NAME'}) or correct the database name.`
      );
    default:
      return `Cannot connect to ${where}: ${redactUrl(error.detail)}.`;
  }
}

function stepMessage(error: MigrationStepError, shown: (file: string) => string): string {
  const verb = error.direction === 'up' ? 'Upgrade to' : 'Downgrade of';
  if (error.lockWait) return lockWaitMessage(error, error.lockWait, verb, shown);
  const statement = error.statement
    ? ` in statement ${truncate(error.statement.replace(/\s+/g, ' ').trim())}`
    : '';
  const aftermath = error.rolledBack
    ? 'it was rolled back and the migrations before it stay applied'
    : 'it ran without a transaction (transactional = false), so its statements before the failing one stay applied and must be undone by hand';
  return (
    `${verb} ${error.revision} (${shown(error.file)}) failed: ${firstLine(error.detail)}${statement}; ` +
    `${aftermath}. Fix the migration and run migrate again.`
  );
}

/** A step that timed out waiting for a lock on every try: who held the lock, and what to do. */
function lockWaitMessage(
  error: MigrationStepError,
  wait: NonNullable<MigrationStepError['lockWait']>,
  verb: string,
  shown: (file: string) => string,
): string {
  const statement = error.statement ? ` in statement ${truncate(error.statement.replace(/\s+/g, ' ').trim())}` : '';
  const holders = wait.blockers.map(
    (blocker) =>
      `process ${blocker.pid}${blocker.application ? ` (${blocker.application})` : ''}` +
      `${blocker.state ? `, ${blocker.state}` : ''}` +
      `${blocker.transactionStart ? ` since ${blocker.transactionStart.toISOString()}` : ''}` +
      `${blocker.query ? `, running ${truncate(blocker.query.replace(/\s+/g, ' ').trim())}` : ''}`,
  );
  const heldBy = holders.length > 0 ? `the lock is held by ${holders.join('; and by ')}` : 'the session holding the lock could not be identified';
  return (
    `${verb} ${error.revision} (${shown(error.file)}) timed out waiting for a lock${statement} on each of ` +
    `${wait.attempts} tr${wait.attempts === 1 ? 'y' : 'ies'}, and was rolled back; the migrations before it stay applied; ` +
    `${heldBy}. End or wait for that session and run migrate again, or raise --step-lock-timeout or the migration's lockTimeout.`
  );
}

function truncate(sql: string): string {
  return sql.length > STATEMENT_SHOWN ? `${sql.slice(0, STATEMENT_SHOWN)}…` : sql;
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim().replace(/[.;]$/, '');
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
