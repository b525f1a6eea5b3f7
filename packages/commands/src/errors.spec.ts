import { UsageError } from './options';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runInNewContext } from 'node:vm';
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
import { UnsupportedDataSourceError } from '../../adapters/src/typeorm/schema-diff';
import { ShadowDatabaseError } from '../../adapters/src/typeorm/shadow';
import {
  TypeormHistoryGapError,
  TypeormMigrationFileNotFoundError,
  TypeormMigrationNameError,
  UnknownTypeormMigrationsError,
} from '../../adapters/src/typeorm/typeorm-history';
import { ImportNotFoundError, ModuleLoadError } from '../../adapters/src/typescript/load-errors';
import { TsconfigError } from '../../adapters/src/typescript/tsconfig';
import { TypeScriptSyntaxError } from '../../adapters/src/typescript/typescript-loader';
import { TableCollisionError } from '../../adapters/src/typeorm/autogenerate/collisions';
import { RenameHintError } from '../../adapters/src/typeorm/autogenerate/renames';
import { AppliedMigrationEditedError } from './context';
import { MESSAGES, rootCause, toUserError, UserError, verboseDetails, type ErrorContext } from './errors';
import { UnmergedHeadsError } from './heads-report';
import { MergeOnOneBranchError, RebaseOfAppliedError, RebaseOfBaseError } from './refusals';
import { cliRoute, nxGeneratorRoute, nxRoute } from './route';

const ROOT = '/work/ws';
const PACKAGES = join(__dirname, '..', '..');
const VERSIONS = `${ROOT}/apps/backend/migrations/versions`;
const FILE = `${VERSIONS}/0002_add_users.ts`;

/** The Nx route with renamed targets, and the CLI route: every message is checked on both. */
const ROUTES: Record<string, ErrorContext> = {
  nx: {
    workspaceRoot: ROOT,
    projectName: 'backend',
    migrationsDir: VERSIONS,
    route: nxRoute('backend', 'db-up', { migrate: 'db-up', history: 'db-log', stamp: 'db-stamp' }),
  },
  cli: { workspaceRoot: ROOT, projectName: 'backend', migrationsDir: VERSIONS, route: cliRoute('migrate') },
};

/**
 * One instance of every error class that core, adapters and commands export, as they raise it. The scan below
 * fails when a module exports an error class that has no sample here, so a new class cannot skip the table.
 */
const SAMPLES: Record<string, () => Error> = {
  DuplicateRevisionError: () => new DuplicateRevisionError('0002'),
  SelfReferenceError: () => new SelfReferenceError('0002', 'downRevision'),
  MissingRevisionError: () => new MissingRevisionError('0001', '0002', 'downRevision'),
  CycleError: () => new CycleError(['0001', '0002']),
  DuplicateBranchLabelError: () => new DuplicateBranchLabelError('auth', ['0001', '0002']),
  BranchLabelIsRevisionIdError: () => new BranchLabelIsRevisionIdError('auth', '0002', '0001'),
  RevisionNotOnBranchError: () => new RevisionNotOnBranchError('auth@0005', '0005', 'auth'),
  BranchDowngradeError: () => new BranchDowngradeError('auth@0001', 'auth', ['0003']),
  OverlappingTargetsError: () => new OverlappingTargetsError('0003', ['0002']),
  SpliceRequiredError: () => new SpliceRequiredError('0002'),
  InvalidRevisionIdError: () => new InvalidRevisionIdError('a-b'),
  InvalidBranchLabelError: () => new InvalidBranchLabelError('a-b', '0002'),
  InvalidTargetError: () => new InvalidTargetError('rev.1'),
  UnknownRevisionError: () => new UnknownRevisionError('ffff'),
  UnknownBranchLabelError: () => new UnknownBranchLabelError('payments', ['auth']),
  AmbiguousRevisionError: () => new AmbiguousRevisionError('abcd', ['abcd1234', 'abcd5678']),
  MultipleHeadsError: () => new MultipleHeadsError('head', ['0003', '0004']),
  RelativeWalkError: () => new RelativeWalkError('+3', '0002', 3, 1),
  AmbiguousWalkError: () => new AmbiguousWalkError('-1', 'merge-point', '0005', ['0003', '0004']),
  UnknownAppliedRevisionError: () => new UnknownAppliedRevisionError('0009'),
  MigrationFileError: () => new MigrationFileError(FILE, '`message` must be a string literal.'),
  DuplicateRevisionFilesError: () => new DuplicateRevisionFilesError('0002', [FILE, `${VERSIONS}/0002_copy.ts`]),
  MigrationsFolderNotFoundError: () => new MigrationsFolderNotFoundError(`${ROOT}/apps/backend/migrations/versoins`),
  TypeScriptSyntaxError: () => new TypeScriptSyntaxError(FILE, 'Expected a semicolon (line 3)'),
  ImportNotFoundError: () =>
    new ImportNotFoundError('./user.entity', `${ROOT}/apps/backend/src/data-source.ts`, [`${ROOT}/apps/backend/src/user.entity.ts`]),
  ModuleLoadError: () =>
    new ModuleLoadError(`${ROOT}/apps/backend/src/user.entity.ts`, { cause: new ReferenceError('exports is not defined') }),
  TsconfigError: () => new TsconfigError(`${ROOT}/tsconfig.base.json`, 'is not valid JSON (line 4).'),
  TableCollisionError: () =>
    new TableCollisionError(new Map([['public.product_category', ['entity ProductCategory', 'the join table of Product.categories']]])),
  RenameHintError: () => new RenameHintError('users.nme:name', 'no column users.nme is dropped.'),
  DataSourceFileError: () =>
    new DataSourceFileError(`${ROOT}/apps/backend/src/data-source.ts`, 'exports no TypeORM DataSource; export one.'),
  DatabaseUrlError: () => new DatabaseUrlError('postgres://app:****@db/app', 'sslmode=maybe is not one of disable, require.'),
  DatabaseConnectionError: () =>
    new DatabaseConnectionError('Database: postgres://app:****@db:5432/app', '28P01', 'password failed', 'app', 'app'),
  DatabaseBusyError: () => new DatabaseBusyError('Database: embedded PostgreSQL', 60_000),
  LockTimeoutError: () => new LockTimeoutError(5000, { application: 'nx-typeorm-migrations 42@ci', since: undefined }),
  FolderLockTimeoutError: () =>
    new FolderLockTimeoutError(`${ROOT}/.nx-typeorm-migrations/backend/lock`, 5000, 42, 'ci', undefined),
  MigrationStepError: () =>
    new MigrationStepError('up', '0002', FILE, 'CREATE TABLE "users" ()', 'relation "users" already exists', true, new Error('x')),
  UnsupportedDataSourceError: () => new UnsupportedDataSourceError('mysql'),
  ShadowDatabaseError: () =>
    new ShadowDatabaseError('create', 'postgres://app:****@db/postgres', 'permission denied to create database', new Error('x')),
  TypeormMigrationNameError: () => new TypeormMigrationNameError('AddUsers', `${ROOT}/apps/backend/src/migrations/add-users.ts`),
  TypeormMigrationFileNotFoundError: () => new TypeormMigrationFileNotFoundError('AddUsers1700000000000'),
  UnknownTypeormMigrationsError: () => new UnknownTypeormMigrationsError('migrations', ['Gone1600000000000']),
  TypeormHistoryGapError: () => new TypeormHistoryGapError('migrations', 'First1600000000000', 'Second1700000000000'),
  UnmergedHeadsError: () =>
    new UnmergedHeadsError('backend', [
      { revision: '0003', message: 'Add posts', file: 'apps/backend/migrations/versions/0003_add_posts.ts' },
      { revision: '0004', message: 'Add tags', file: 'apps/backend/migrations/versions/0004_add_tags.ts' },
    ]),
  AppliedMigrationEditedError: () => new AppliedMigrationEditedError([{ revision: '0002', file: FILE }], ['0002']),
  MergeOnOneBranchError: () => new MergeOnOneBranchError('0002', '0003'),
  RebaseOfBaseError: () => new RebaseOfBaseError('0005', '0004'),
  RebaseOfAppliedError: () => new RebaseOfAppliedError(['0005'], 'the embedded database of backend', '0005'),
  UserError: () => new UserError('A migration needs a message: pass --message="Add users table" (or -m).', { code: 'MESSAGE_REQUIRED' }),
  UsageError: () => new UsageError('--lock-timeout=abc is not a number of seconds (0 or more).'),
};

/** Classes no one instantiates: the bases of the others. */
const ABSTRACT = new Set(['CodedError', 'RevisionError']);

/** Every source module of a layer, required as the package ships it. */
function sourceModules(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ts$/.test(entry.name) && !/\.spec\.ts$|\.d\.ts$/.test(entry.name)) found.push(path);
    }
  };
  walk(join(PACKAGES, folder));
  return found;
}

/** Every exported error class of core, adapters and commands, by the name a sample is filed under. */
function exportedErrorClasses(): Map<string, { module: string; errorClass: new (...args: never[]) => Error }> {
  const classes = new Map<string, { module: string; errorClass: new (...args: never[]) => Error }>();
  for (const module of ['core/src', 'adapters/src', 'commands/src'].flatMap(sourceModules)) {
    const exports = require(module) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value !== 'function' || !(value.prototype instanceof Error)) continue;
      // Two classes share a name (the graph's duplicate id, the folder's duplicate files): file the second by its role.
      const key = classes.has(name) && classes.get(name)!.errorClass !== value ? `${name.replace(/Error$/, '')}FilesError` : name;
      classes.set(key, { module: relative(PACKAGES, module), errorClass: value as new (...args: never[]) => Error });
    }
  }
  return classes;
}

describe('the error vocabulary', () => {
  const classes = exportedErrorClasses();

  it('finds the error classes of every layer', () => {
    const modules = new Set([...classes.values()].map((entry) => entry.module.split('/')[0]));
    expect([...modules].sort()).toEqual(['adapters', 'commands', 'core']);
  });

  it('has a sample of every exported error class, and every sample is of its class', () => {
    const missing = [...classes.keys()].filter((name) => !ABSTRACT.has(name) && !SAMPLES[name]);
    expect(missing).toEqual([]);
    for (const [name, { errorClass }] of classes) {
      if (!ABSTRACT.has(name)) expect({ name, isOfItsClass: SAMPLES[name]() instanceof errorClass }).toEqual({ name, isOfItsClass: true });
    }
  });

  it('gives every coded class an UPPER_CASE code with words in the table', () => {
    const codes = new Map<string, string>();
    for (const [name, sample] of Object.entries(SAMPLES)) {
      const error = sample();
      const code = (error as { code?: unknown }).code;
      expect({ name, code }).toEqual({ name, code: expect.stringMatching(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/) });
      if (error instanceof CodedError) {
        expect({ name, inTable: code as string in MESSAGES }).toEqual({ name, inTable: true });
        codes.set(name, code as string);
      }
    }
    // The two duplicate-revision classes report one situation; every other class has a code of its own.
    const shared = [...codes.values()].filter((code, index, all) => all.indexOf(code) !== index);
    expect(shared).toEqual(['DUPLICATE_REVISION']);
  });

  describe.each(Object.keys(ROUTES))('on the %s route', (routeName) => {
    it.each(Object.keys(SAMPLES))('words %s as a sentence that is not "Unexpected error"', (name) => {
      const error = SAMPLES[name]();
      const userError = toUserError(error, ROUTES[routeName]);
      expect(userError.message).not.toMatch(/^Unexpected error/);
      expect(userError.message).not.toMatch(/--verbose/);
      expect(userError.code).toBe((error as unknown as { code: string }).code);
      expect(userError.exitCode).toBe(1);
      // One sentence ending in a full stop (the heads report adds its list of heads after its first line).
      expect(userError.message.split('\n')[0]).toMatch(/^[-A-Z'`a-z].*[.:]$/);
      // Paths relative to the workspace root, never a password.
      expect(userError.message).not.toContain(`${ROOT}/`);
      expect(userError.message).not.toMatch(/:\/\/[^:@/]+:(?!\*\*\*\*)[^@/]+@/);
    });
  });
});

describe('words on the route the user took', () => {
  const nx = ROUTES['nx']!;
  const cli = ROUTES['cli']!;

  it('names the renamed Nx target or the CLI verb to list revisions', () => {
    const error = new UnknownRevisionError('ffff');
    expect(toUserError(error, nx).message).toBe(
      "No revision or branch label matches 'ffff'; run nx run backend:db-log to list the revision ids and labels.",
    );
    expect(toUserError(error, cli).message).toBe(
      "No revision or branch label matches 'ffff'; run nx-typeorm-migrations history to list the revision ids and labels.",
    );
  });

  it('names the folder looked in and the stamp command when the database is at a revision no file has', () => {
    const error = new UnknownAppliedRevisionError('0009');
    expect(toUserError(error, nx).message).toBe(
      'The database records revision 0009 as applied, but no migration file in apps/backend/migrations/versions has ' +
        'that revision id; restore its file or correct migrationsDir, or run nx run backend:db-stamp --to=REV to record ' +
        'the revision the database really is at.',
    );
    expect(toUserError(error, cli).message).toContain('run nx-typeorm-migrations stamp --to=REV');
  });

  it('names the folder that does not exist and how to start one', () => {
    const error = new MigrationsFolderNotFoundError(`${ROOT}/apps/backend/migrations/versoins`);
    expect(toUserError(error, nx).message).toBe(
      'The migrations folder apps/backend/migrations/versoins does not exist; correct migrationsDir (the plugin option ' +
        'or --migrations-dir), or create the first migration with nx g nx-typeorm-migrations:migration ' +
        '--project=backend -m "...".',
    );
  });

  it("says a migration's own code threw, after which statement, and names no statement as the failing one", () => {
    const after = new MigrationStepError('up', '0002', FILE, undefined, "TypeError: Cannot read properties of undefined (reading 'count')", true, new TypeError('x'), undefined, undefined, { after: 'CREATE TABLE "settings" ("key" text)' });
    expect(toUserError(after, nx).message).toBe(
      "Upgrade to 0002 (apps/backend/migrations/versions/0002_add_users.ts) failed: TypeError: Cannot read properties of undefined (reading 'count'), " +
        'thrown by the migration\'s code after statement CREATE TABLE "settings" ("key" text); it was rolled back and the ' +
        'migrations before it stay applied. Fix the migration and run nx run backend:db-up again.',
    );
    const before = new MigrationStepError('down', '0002', FILE, undefined, 'RangeError: too far', false, new RangeError('too far'), undefined, undefined, { after: undefined });
    expect(toUserError(before, cli).message).toMatch(/^Downgrade of 0002 \(.*\) failed: RangeError: too far, thrown by the migration's code before any statement; it ran without a transaction/);
  });

  it('asks to run the target the user ran again after a failed migration', () => {
    const error = SAMPLES['MigrationStepError']();
    expect(toUserError(error, nx).message).toMatch(/Fix the migration and run nx run backend:db-up again\.$/);
    expect(toUserError(error, cli).message).toMatch(/Fix the migration and run nx-typeorm-migrations migrate again\.$/);
  });

  it('resolves several heads with the merge generator under Nx and the merge verb from the CLI', () => {
    const error = SAMPLES['UnmergedHeadsError']();
    const nxLines = toUserError(error, { ...nx, route: nxRoute('backend', 'db-up') }).message.split('\n');
    expect(nxLines[0]).toBe(
      'Project backend has 2 head revisions (0003, 0004): migrations were added on top of the same revision, so their ' +
        'order is undecided; merge or rebase them.',
    );
    expect(nxLines).toContainEqual(expect.stringMatching(/^ {2}nx g nx-typeorm-migrations:merge --project=backend -m "Merge heads" +a merge/));
    const cliLines = toUserError(error, { ...cli, route: cliRoute('migrate', '--project-root=apps/backend') }).message.split('\n');
    expect(cliLines).toContainEqual(
      expect.stringMatching(/^ {2}nx-typeorm-migrations merge --project-root=apps\/backend -m "Merge heads" +a merge/),
    );
    expect(cliLines).toContainEqual(expect.stringMatching(/^ {2}nx-typeorm-migrations rebase --project-root=apps\/backend +your branch/));
    expect(cliLines.join('\n')).not.toContain('nx g');
  });

  it('points a generator run at the other generators and the project targets', () => {
    const error = new UnknownTypeormMigrationsError('migrations', ['Gone1600000000000']);
    const message = toUserError(error, { ...nx, route: nxGeneratorRoute('backend', 'import-typeorm') }).message;
    expect(message).toContain('import them (nx g nx-typeorm-migrations:import-typeorm --project=backend)');
    expect(message).toMatch(/then run nx g nx-typeorm-migrations:import-typeorm again\.$/);
  });

  it('never says migrate-stamp or migrate-history to a CLI user', () => {
    for (const sample of Object.values(SAMPLES)) {
      expect(toUserError(sample(), cli).message).not.toMatch(/migrate-(stamp|history|status|check)/);
    }
  });
});

describe('anything unforeseen', () => {
  it('keeps its first line, hides a password and asks for --verbose', () => {
    const userError = toUserError(new Error('connect to postgres://app:secret@db/app failed\n    at somewhere'));
    expect(userError.message).toBe(
      'Unexpected error: connect to postgres://app:****@db/app failed; run again with --verbose for details.',
    );
    expect(userError.code).toBe('UNEXPECTED');
  });

  it('reports a SQLSTATE as the database refusing a request', () => {
    const refused = Object.assign(new Error('permission denied for table users'), { code: '42501' });
    expect(toUserError(refused)).toMatchObject({
      code: 'DATABASE_ERROR',
      message: 'The database refused a request: permission denied for table users (SQLSTATE 42501).',
    });
  });
});

describe('--verbose', () => {
  it('shows the stack of the innermost cause, not of the wrappers', () => {
    const cause = new SyntaxError('Cannot use import statement outside a module');
    const wrapper = new DataSourceFileError(`${ROOT}/apps/backend/src/data-source.ts`, 'failed while loading', { cause });
    const userError = toUserError(wrapper, ROUTES['nx']);
    expect(rootCause(userError)).toBe(cause);
    expect(verboseDetails(userError)).toBe(cause.stack);
  });

  it("shows the stack of an error from another realm (a migration's vm.Script) under our wrappers", () => {
    const foreign = runInNewContext("(() => { try { undefined.count; } catch (error) { return error; } })()") as Error;
    expect(foreign instanceof Error).toBe(false);
    const step = new MigrationStepError('up', '0002', FILE, undefined, 'TypeError: x', true, foreign, undefined, undefined, { after: 'SELECT 1' });
    expect(verboseDetails(toUserError(step, ROUTES['nx']))).toBe(foreign.stack);
  });

  it('shows the error itself when nothing caused it', () => {
    const error = new Error('alone');
    expect(verboseDetails(error)).toBe(error.stack);
    expect(verboseDetails('a string')).toBe('a string');
  });
});

describe('the README', () => {
  /** Every code the sources can raise: the table's, and the ones the commands and the Nx glue give a UserError. */
  function codesInSources(): Set<string> {
    const codes = new Set<string>(Object.keys(MESSAGES));
    for (const file of ['commands/src', 'nx/src'].flatMap(sourceModules)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/code: (?:[^'\n]*\? )?'([A-Z_]+)'(?: : '([A-Z_]+)')?/g)) {
        codes.add(match[1]!);
        if (match[2]) codes.add(match[2]);
      }
    }
    return codes;
  }

  it('lists every error code in its Error codes table, and no other', () => {
    const readme = readFileSync(join(PACKAGES, '..', 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('### Error codes'), readme.indexOf('<!-- /section: troubleshooting -->'));
    const documented = new Set(
      table
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .flatMap((line) => [...line.split(' | ')[0]!.matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]!)),
    );
    expect([...documented].sort()).toEqual([...codesInSources()].sort());
  });
});
