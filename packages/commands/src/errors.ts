import { relative } from 'node:path';
import {
  AmbiguousRevisionError,
  AmbiguousWalkError,
  BranchDowngradeError,
  BranchLabelIsRevisionIdError,
  CodedError,
  CycleError,
  DuplicateBranchLabelError,
  DuplicateRevisionError,
  InvalidBranchLabelError,
  InvalidRevisionIdError,
  InvalidTargetError,
  MissingRevisionError,
  MultipleHeadsError,
  OverlappingTargetsError,
  RelativeWalkError,
  RevisionNotOnBranchError,
  SelfReferenceError,
  SpliceRequiredError,
  TARGET_FORMS,
  UnknownAppliedRevisionError,
  UnknownBranchLabelError,
  UnknownRevisionError,
} from '../../core/src/errors';
import { MigrationFileError } from '../../core/src/migration-file';
import {
  DuplicateRevisionError as DuplicateRevisionFilesError,
  MigrationsFolderNotFoundError,
} from '../../adapters/src/fs/migration-directory';
import { DatabaseUrlError } from '../../adapters/src/typeorm/connection';
import { DatabaseBusyError, DatabaseConnectionError, DataSourceFileError } from '../../adapters/src/typeorm/data-source';
import { FolderLockTimeoutError, LockTimeoutError } from '../../adapters/src/typeorm/lock';
import { MigrationStepError } from '../../adapters/src/typeorm/runner';
import { loadFailureBehind } from '../../adapters/src/typescript/esm-loader';
import { UnsupportedDataSourceError } from '../../adapters/src/typeorm/schema-diff';
import { ShadowDatabaseError } from '../../adapters/src/typeorm/shadow';
import {
  TypeormHistoryGapError,
  TypeormMigrationFileNotFoundError,
  TypeormMigrationNameError,
  UnknownTypeormMigrationsError,
} from '../../adapters/src/typeorm/typeorm-history';
import { firstLineOf, ImportNotFoundError, ModuleLoadError } from '../../adapters/src/typescript/load-errors';
import { TsconfigError } from '../../adapters/src/typescript/tsconfig';
import { TypeScriptSyntaxError } from '../../adapters/src/typescript/typescript-loader';
import { TableCollisionError } from '../../adapters/src/typeorm/autogenerate/collisions';
import { RenameHintError } from '../../adapters/src/typeorm/autogenerate/renames';
import { AppliedMigrationEditedError } from './context';
import { formatHeadsReport, UnmergedHeadsError } from './heads-report';
import { MergeOnOneBranchError, RebaseOfAppliedError, RebaseOfBaseError } from './refusals';
import { commandFor, nxRoute, ranCommand, type Route, type Verb } from './route';

/**
 * An error a user can act on: its message is one sentence saying what is wrong and what to do, printed without a
 * stack trace (unless `--verbose`), exit code 1. `code` is what `--json` reports. Commands turn every other error
 * into one of these, once, through `toUserError`.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  readonly exitCode = 1;
  readonly code: string;

  constructor(message: string, options: { readonly code: string; readonly cause?: unknown }) {
    super(message, { cause: options.cause });
    this.code = options.code;
  }
}

/** Where the error happened: paths in messages are shown from the workspace root, commands as the user types them. */
export interface ErrorContext {
  readonly workspaceRoot?: string;
  readonly projectName?: string;
  /** The project's migrations folder, named when a revision has no file in it. */
  readonly migrationsDir?: string;
  /** How the user came in; without it, the Nx targets of the project under their default names. */
  readonly route?: Route;
}

/** The route of a context: its own, else the project's Nx `migrate` target. */
export function routeOf(context: ErrorContext): Route {
  return context.route ?? nxRoute(context.projectName ?? 'PROJECT', 'migrate');
}

/** What a message may use besides the error's own data. */
interface Words {
  readonly route: Route;
  /** The command the user ran, as typed. */
  readonly ran: string;
  /** How the user types another verb on their route. */
  command(verb: Verb, args?: string): string;
  /** A path relative to the workspace root. */
  shown(file: string): string;
  /** The migrations folder, relative to the workspace root, when known. */
  readonly folder: string | undefined;
}

/** Every error class whose words are in `MESSAGES`. */
export type KnownError =
  | DuplicateRevisionError
  | SelfReferenceError
  | MissingRevisionError
  | CycleError
  | DuplicateBranchLabelError
  | BranchLabelIsRevisionIdError
  | RevisionNotOnBranchError
  | BranchDowngradeError
  | OverlappingTargetsError
  | SpliceRequiredError
  | InvalidRevisionIdError
  | InvalidBranchLabelError
  | InvalidTargetError
  | UnknownRevisionError
  | UnknownBranchLabelError
  | AmbiguousRevisionError
  | MultipleHeadsError
  | RelativeWalkError
  | AmbiguousWalkError
  | UnknownAppliedRevisionError
  | MigrationFileError
  | DuplicateRevisionFilesError
  | MigrationsFolderNotFoundError
  | TypeScriptSyntaxError
  | ImportNotFoundError
  | ModuleLoadError
  | TsconfigError
  | TableCollisionError
  | RenameHintError
  | DataSourceFileError
  | DatabaseUrlError
  | DatabaseConnectionError
  | DatabaseBusyError
  | LockTimeoutError
  | FolderLockTimeoutError
  | MigrationStepError
  | UnsupportedDataSourceError
  | ShadowDatabaseError
  | TypeormMigrationNameError
  | TypeormMigrationFileNotFoundError
  | UnknownTypeormMigrationsError
  | TypeormHistoryGapError
  | UnmergedHeadsError
  | AppliedMigrationEditedError
  | MergeOnOneBranchError
  | RebaseOfBaseError
  | RebaseOfAppliedError;

export type ErrorCode = KnownError['code'];

type Message<Code extends ErrorCode> = (error: Extract<KnownError, { code: Code }>, words: Words) => string;

const STATEMENT_SHOWN = 300;

/**
 * The words of every error a user can meet, by code: one sentence saying what is wrong and what to do, naming the
 * revision, the file or the statement, and the commands to run as the user types them on their route. The only
 * place where core and adapter errors become a user's words.
 */
export const MESSAGES: { readonly [Code in ErrorCode]: Message<Code> } = {
  // ------------------------------------------------------------ the revision graph (core)
  DUPLICATE_REVISION: (error, { shown }) =>
    'files' in error
      ? `Revision ${error.revision} is declared by both ${error.files.map(shown).join(' and ')}; give one of them a new revision id.`
      : `Revision id ${error.revision} is used by more than one migration; give one of them a new revision id.`,
  SELF_REFERENCE: (error) =>
    `Revision ${error.revision} lists itself as its own ${relationWords(error.relation)}; remove ${error.revision} ` +
    `from its ${error.relation}.`,
  MISSING_REVISION: (error) =>
    `Revision ${error.referencedBy} names ${error.missing} as its ${relationWords(error.relation)}, but no migration has ` +
    `the revision id ${error.missing}; restore that migration or correct the ${error.relation} of ${error.referencedBy}.`,
  REVISION_CYCLE: (error) =>
    `Revisions ${[...error.revisions, error.revisions[0]].join(' -> ')} form a cycle; change the downRevision or ` +
    `dependsOn of one of them so that the chain ends at a base.`,
  DUPLICATE_BRANCH_LABEL: (error) =>
    `Branch label ${error.label} is declared by both ${error.revisions[0]} and ${error.revisions[1]}; a label names ` +
    `one branch, so remove it from one of them or rename it.`,
  BRANCH_LABEL_IS_REVISION_ID: (error) =>
    error.owner === error.revision
      ? `Branch label ${error.label} of revision ${error.owner} is also its revision id; labels and ids share one ` +
        'namespace (as in Alembic), so rename the label.'
      : `Branch label ${error.label} of revision ${error.owner} is also the id of revision ${error.revision}; labels ` +
        'and ids share one namespace (as in Alembic), so rename the label.',
  REVISION_NOT_ON_BRANCH: (error) =>
    `Revision ${error.revision} is not on branch ${error.branch} ('${error.target}'): it is neither below nor above ` +
    `${error.branch}; name a revision of that branch, or leave out '${error.branch}@'.`,
  NO_DOWNGRADE_ON_BRANCH: (error) =>
    `'${error.target}' downgrades nothing: of the revisions just above it (${error.from.join(', ')}) none leads to ` +
    `${error.branch}; use a branch label or revision above the target, or leave out '${error.branch}@'.`,
  OVERLAPPING_TARGETS: (error) =>
    `Requested revision ${error.revision} overlaps with the other requested revision(s) ${error.overlaps.join(', ')}: ` +
    'one is below the other; name only the upper one.',
  SPLICE_REQUIRED: (error) =>
    `Revision ${error.revision} is not a head revision; pass --splice to start a new branch from it, or base the new ` +
    'revision on a head.',
  INVALID_REVISION_ID: (error) =>
    `Revision id '${error.revision}' is not valid; use letters, digits and _ only, and not the words head, heads or base.`,
  INVALID_BRANCH_LABEL: (error) =>
    `Branch label '${error.label}' of revision ${error.revision} is not valid; use letters, digits and _ only, and ` +
    `not the words head, heads or base.`,
  INVALID_TARGET: (error) => `'${error.text}' is not a valid target; use ${TARGET_FORMS}.`,
  REVISION_NOT_FOUND: (error, { command }) =>
    error.reference.length < 4
      ? `No revision or branch label is named '${error.reference}', and a revision prefix needs at least 4 ` +
        `characters; type more of the revision id.`
      : `No revision or branch label matches '${error.reference}'; run ${command('history')} to list the revision ` +
        `ids and labels.`,
  UNKNOWN_BRANCH_LABEL: (error) =>
    error.knownLabels.length === 0
      ? `No branch label ${error.label} exists, and no revision declares any branch label; use head, heads or a revision id.`
      : `No branch label ${error.label} exists; the labels are ${error.knownLabels.join(', ')}.`,
  AMBIGUOUS_REVISION: (error) =>
    `Revision prefix '${error.reference}' matches ${error.candidates.length} revisions ` +
    `(${error.candidates.join(', ')}); type more characters of the revision id.`,
  MULTIPLE_HEADS: (error) =>
    `Multiple head revisions are present for '${error.reference}' (${error.heads.join(', ')}); specify heads to move ` +
    `every branch, ${
      error.labelSuggestions.length > 0 ? `a branch such as ${error.labelSuggestions.join(', ')}` : 'LABEL@head to pick a branch'
    }, or a revision id.`,
  RELATIVE_WALK_OUT_OF_RANGE: (error) => {
    const up = error.steps > 0;
    return (
      `Cannot move ${Math.abs(error.steps)} ${up ? 'up' : 'down'} from ${error.from ?? 'base'} for '${error.target}': ` +
      `only ${error.available} ${error.available === 1 ? 'revision is' : 'revisions are'} ${up ? 'above' : 'below'} ` +
      `it; use a smaller step or ${up ? 'head' : 'base'}.`
    );
  },
  AMBIGUOUS_WALK: (error) => {
    const options = error.candidates.join(', ');
    const relative = /[+-]\d+$/.exec(error.target)?.[0] ?? '+N';
    switch (error.reason) {
      case 'applied-heads':
        return (
          `'${error.target}' is ambiguous: the database has several applied heads (${options}); ` +
          `use LABEL@${relative} or REV${relative} with one of them.`
        );
      case 'bases':
        return (
          `'${error.target}' is ambiguous: nothing is applied and there are several bases (${options}); ` +
          `use LABEL@${relative} or a revision id.`
        );
      case 'branch-point':
        return (
          `'${error.target}' is ambiguous: revision ${error.from} is a branch point with several next revisions ` +
          `(${options}); use a revision id or LABEL@${relative}.`
        );
      case 'merge-point':
        return (
          `'${error.target}' is ambiguous: revision ${error.from} is a merge of several revisions (${options}); ` +
          `use a revision id to say which branch to go down.`
        );
    }
  },
  UNKNOWN_APPLIED_REVISION: (error, { command, folder }) =>
    `The database records revision ${error.revision} as applied, but no migration file${folder ? ` in ${folder}` : ''} ` +
    `has that revision id; restore its file or correct migrationsDir, or run ${command('stamp', '--to=REV')} to ` +
    `record the revision the database really is at.`,

  // ------------------------------------------------------------ migration files
  MIGRATION_FILE_INVALID: (error, { shown }) => `${shown(error.file)}: ${error.problem}`,
  MIGRATIONS_FOLDER_NOT_FOUND: (error, { shown, command }) =>
    `The migrations folder ${shown(error.folder)} does not exist; correct migrationsDir (the plugin option or ` +
    `--migrations-dir), or create the first migration with ${command('revision', '-m "..."')}.`,
  SYNTAX_ERROR: (error, { shown }) => `${shown(error.file)} does not compile: ${error.detail}; fix the file and run again.`,
  MODULE_NOT_FOUND: (error, { shown }) =>
    `${error.message.replace(error.file, shown(error.file))}; correct the import (a path alias needs its tsconfig ` +
    '`paths`), or create the file.',
  MODULE_LOAD_FAILED: (error, { shown }) =>
    `${shown(error.file)} failed while loading: ${firstLineOf(error.cause)}; fix it (or what it imports) and run again.`,
  TSCONFIG_INVALID: (error, { shown }) => `${shown(error.file)}: ${error.problem}`,

  // ------------------------------------------------------------ the data source and the database
  DATA_SOURCE_INVALID: (error, { shown }) => `${shown(error.file)}: ${error.problem}`,
  DATABASE_URL_INVALID: (error) => `DATABASE_URL ${error.redactedUrl}: ${error.problem}`,
  DATABASE_UNREACHABLE: (error) => connectionMessage(error),
  DATABASE_BUSY: (error) =>
    `${error.description.replace(/^Database: /, 'The database ')} stayed busy for ${seconds(error.waitedMs)}: ` +
    'another process holds its only connection (PGlite serves one at a time); wait for it to finish, or raise --lock-timeout.',
  LOCK_TIMEOUT: (error) => {
    const holder = error.holder
      ? `${error.holder.application || 'a session without application_name'}` +
        (error.holder.since ? ` since ${error.holder.since.toISOString()}` : '')
      : 'another migration run';
    return (
      `The migration lock is held by ${holder}; waited ${seconds(error.waitedMs)}. ` +
      'Wait for that run to finish, or raise --lock-timeout.'
    );
  },
  EMBEDDED_DATABASE_IN_USE: (error, { shown }) =>
    `The embedded database is in use by process ${error.holderPid} on ${error.holderHost}` +
    `${error.since ? ` since ${error.since.toISOString()}` : ''} (lock file ${shown(error.lockFile)}); waited ` +
    `${seconds(error.waitedMs)}. Wait for it to finish or stop it, or raise --lock-timeout.`,
  MIGRATION_FAILED: (error, words) => stepMessage(error, words),
  UNSUPPORTED_DATA_SOURCE: (error, { ran }) =>
    `Autogenerate compares entities with PostgreSQL only, and this data source is ${error.type}; point the data ` +
    `source at PostgreSQL to use ${ran}, or write the migration by hand with --empty.`,
  TABLE_COLLISION: (error) =>
    `${[...error.collisions].map(([table, definitions]) => `Table ${table} is defined by ${definitions.join(', ')}`).join('; ')}: ` +
    'one table cannot have several definitions; give each its own name (@Entity(name), @JoinTable({ name })), then ' +
    'generate again. Nothing was written.',
  INVALID_RENAME: (error) => `--rename=${error.hint}: ${error.reason}`,
  SHADOW_DATABASE_FAILED: (error) =>
    `Could not ${error.action} a shadow database on ${error.server} (${error.detail}); give its user CREATEDB, ` +
    'correct shadowDatabaseUrl / SHADOW_DATABASE_URL, or unset it to use an embedded database.',

  // ------------------------------------------------------------ adopting TypeORM's migrations
  TYPEORM_MIGRATION_NAME: (error, { shown, ran }) =>
    `${shown(error.file)}: the migration ${error.migrationName} has no JavaScript timestamp at the end of its name, ` +
    `so TypeORM cannot order it; rename it like AddUsers1700000000000 and run ${ran} again.`,
  TYPEORM_MIGRATION_FILE_NOT_FOUND: (error, { ran }) =>
    `The TypeORM migration ${error.migrationName} is not exported by any file the data source loads; move it into ` +
    `a file of its own that exports the class, then run ${ran} again.`,
  UNKNOWN_TYPEORM_MIGRATIONS: (error, { command, ran }) =>
    `TypeORM's ${error.table} table lists ${error.unknownNames.join(', ')}, which no revision was imported from; ` +
    `import them (${command('import-typeorm')}) or remove the rows of migrations that no longer exist, then run ` +
    `${ran} again.`,
  TYPEORM_HISTORY_GAP: (error, { command, ran }) =>
    `TypeORM's ${error.table} table lists ${error.laterName} but not ${error.missingName}, which runs before it; ` +
    `apply ${error.missingName} with TypeORM's CLI (migration:run) or record the right revision with ` +
    `${command('stamp', '--to=REV')}, then run ${ran} again.`,

  // ------------------------------------------------------------ found by the commands
  UNMERGED_HEADS: (error, { route }) => formatHeadsReport(error.projectName, error.heads, route, error.headOption),
  MERGE_ON_ONE_BRANCH: (error, { command }) =>
    `Revision ${error.revision} is already below ${error.descendant}; merge only revisions on different branches ` +
    `(${command('history')} shows them).`,
  REBASE_OF_BASE: (error, { command }) =>
    `Revision ${error.revision} is a base of its own (no down revision), so it cannot be put on top of ` +
    `${error.onto}; join the branches with ${command('merge', '-m "..."')} instead.`,
  REBASE_OF_APPLIED: (error, { command }) =>
    `Revision ${error.applied.join(', ')} is applied to ${error.database}, so it cannot be re-parented; downgrade ` +
    `it first (${command('migrate', `--to=${error.firstMoved}-1`)}) or join the branches with ` +
    `${command('merge', '-m "..."')}.`,
  APPLIED_MIGRATION_EDITED: (error, { shown, command, ran }) => {
    const one = error.edited.length === 1;
    const files = error.edited.map((entry) => `${shown(entry.file)} (${entry.revision})`).join(', ');
    const accept = command('stamp', `--to=${error.heads.length === 1 ? error.heads[0] : '<the current revision>'}`);
    return (
      `Applied migration${one ? '' : 's'} ${files} ${one ? 'was' : 'were'} edited after ${one ? 'it was' : 'they were'} ` +
      `applied to this database (the checksum differs from the recorded one); restore the file${one ? '' : 's'}, or ` +
      `record the edit as intended with ${accept}, then run ${ran} again.`
    );
  },
};

/** The words of a coded error, or undefined when its code has none. */
export function userMessageOf(error: CodedError, context: ErrorContext = {}): string | undefined {
  const message = (MESSAGES as unknown as Record<string, ((error: CodedError, words: Words) => string) | undefined>)[error.code];
  return message?.(error, wordsOf(context));
}

function wordsOf(context: ErrorContext): Words {
  const route = routeOf(context);
  const shown = (file: string) => {
    if (!context.workspaceRoot) return file;
    const path = relative(context.workspaceRoot, file);
    return path && !path.startsWith('..') ? path : file;
  };
  return {
    route,
    ran: ranCommand(route),
    command: (verb, args) => commandFor(route, verb, args),
    shown,
    folder: context.migrationsDir === undefined ? undefined : shown(context.migrationsDir),
  };
}

/**
 * The only place that turns core and adapter errors into a user's words: one sentence naming the revision, the
 * file or the statement, what to do, and the command to run on the user's route. Anything unforeseen keeps its
 * message and asks for `--verbose`.
 */
export function toUserError(error: unknown, context: ErrorContext = {}): UserError {
  if (error instanceof UserError) return error;
  // Bad usage (options.ts) is already one sentence; the CLI exits 2 with it before reaching here.
  if (error instanceof Error && error.name === 'UsageError') {
    return new UserError(error.message, { code: (error as { code?: string }).code ?? 'BAD_USAGE', cause: error });
  }
  // A user's ES module that TypeORM imported itself failed to resolve or compile: the loader's own error says which.
  const loadFailure = loadFailureBehind(error);
  if (loadFailure && loadFailure !== error) return toUserError(loadFailure, context);
  if (error instanceof CodedError) {
    const message = userMessageOf(error, context);
    if (message !== undefined) return new UserError(message, { code: error.code, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return new UserError(`The database refused a request: ${redactPasswords(firstLine(message))} (SQLSTATE ${code}).`, {
      code: 'DATABASE_ERROR',
      cause: error,
    });
  }
  return new UserError(`Unexpected error: ${redactPasswords(firstLine(message))}; run again with --verbose for details.`, {
    code: 'UNEXPECTED',
    cause: error,
  });
}

/** An option's value the engine refused: the option as typed, then the engine's words (`--head=abcd: ...`). */
export function optionError(option: string, error: unknown, context: ErrorContext = {}): UserError {
  const userError = toUserError(error, context);
  return new UserError(`${option}: ${userError.message}`, { code: userError.code, cause: error });
}

/**
 * The error at the bottom of a chain of causes: the user's own error (a module that fails to load, a migration
 * that throws) under our wrappers. `--verbose` prints its stack.
 */
export function rootCause(error: unknown): unknown {
  let current = error;
  const seen = new Set<unknown>();
  // Not `instanceof Error`: what users' code throws may come from another realm (a migration compiled as a
  // `vm.Script`, Node's own inside Jest).
  for (let cause = causeOf(current); cause !== undefined && cause !== null && !seen.has(current); cause = causeOf(current)) {
    seen.add(current);
    current = cause;
  }
  return current;
}

function causeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
}

/** What `--verbose` prints: the stack of the real cause (the innermost error), never only our wrapper's. */
export function verboseDetails(error: unknown): string {
  const cause = rootCause(error);
  const { stack, name, message } = (typeof cause === 'object' && cause !== null ? cause : {}) as {
    stack?: unknown;
    name?: unknown;
    message?: unknown;
  };
  if (typeof stack === 'string') return stack;
  return typeof message === 'string' ? `${String(name ?? 'Error')}: ${message}` : String(cause);
}

/** Every URL's password in a text as `****` (a driver's message may quote a connection string anywhere). */
export function redactPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@?#]*):[^\s@/?#]*@/gi, '$1:****@');
}

function relationWords(relation: 'downRevision' | 'dependsOn'): string {
  return relation === 'downRevision' ? 'down revision' : 'dependency (dependsOn)';
}

function connectionMessage(error: DatabaseConnectionError): string {
  const where = error.description.replace(/^Database: /, '');
  switch (error.reason) {
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
      return `Cannot connect to ${where}: ${redactPasswords(error.detail)}.`;
  }
}

function stepMessage(error: MigrationStepError, words: Words): string {
  const { shown, ran } = words;
  const verb = error.direction === 'up' ? 'Upgrade to' : 'Downgrade of';
  if (error.lockWait) return lockWaitMessage(error, error.lockWait, verb, words);
  const where = error.thrownByCode
    ? error.thrownByCode.after
      ? `, thrown by the migration's code after statement ${truncate(error.thrownByCode.after.replace(/\s+/g, ' ').trim())}`
      : ", thrown by the migration's code before any statement"
    : '';
  const statement = error.statement
    ? ` in statement ${truncate(error.statement.replace(/\s+/g, ' ').trim())}`
    : '';
  const aftermath = error.rolledBack
    ? 'it was rolled back and the migrations before it stay applied'
    : error.resumable
      ? `it ran without a transaction (transactional = false); its first ${error.resumable.statementsDone} statement(s) completed and are recorded, so the next migrate resumes after them`
      : 'it ran without a transaction (transactional = false), so its statements before the failing one stay applied and must be undone by hand';
  return (
    `${verb} ${error.revision} (${shown(error.file)}) failed: ${firstLine(error.detail)}${statement}${where}; ` +
    `${aftermath}. Fix the migration and run ${ran} again.`
  );
}

/** A step that timed out waiting for a lock on every try: who held the lock, and what to do. */
function lockWaitMessage(
  error: MigrationStepError,
  wait: NonNullable<MigrationStepError['lockWait']>,
  verb: string,
  { shown, ran }: Words,
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
    `${heldBy}. End or wait for that session and run ${ran} again, or raise --step-lock-timeout or the migration's lockTimeout.`
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
