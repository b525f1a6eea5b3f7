import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checksumOf, MigrationFileError, readMigrationMetadata, type MigrationMetadata } from '../../../core/src/migration-file';
import { ImportNotFoundError, ModuleLoadError, firstLineOf } from '../typescript/load-errors';
import { loadUserModuleAsync } from '../typescript/esm-loader';
import { TypeScriptSyntaxError, whenTranspiled } from '../typescript/typescript-loader';
import type { QueryRunner } from 'typeorm';
import { CodedError } from '../../../core/src/errors';

/**
 * The migration files of a project (`<projectRoot>/migrations/versions`): metadata read statically from the text
 * (planning, status and history over 1,000 files transpile nothing), `up`/`down` loaded only for the steps a run
 * executes.
 */
export interface MigrationFile extends MigrationMetadata {
  /** Absolute path. */
  readonly file: string;
  /** sha256 of the text, CRLF folded (`checksumOf`). */
  readonly checksum: string;
  readonly text: string;
}

export type MigrationFunction = (queryRunner: QueryRunner) => Promise<void> | void;

export interface MigrationFunctions {
  readonly up: MigrationFunction;
  readonly down: MigrationFunction;
}

/** Two files declare the same revision id. */
export class DuplicateRevisionError extends CodedError {
  readonly code = 'DUPLICATE_REVISION';
  constructor(
    readonly revision: string,
    readonly files: readonly string[],
  ) {
    super(`Revision ${revision} is declared by ${files.join(' and ')}`);
  }
}

const MIGRATION_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const NOT_A_MIGRATION = /\.d\.[mc]?ts$|\.(spec|test)\.[mc]?[jt]s$/;

/**
 * The migrations folder does not exist: a mistyped `migrationsDir`, or a project whose `migrations/versions/` was
 * never created. Reading it as empty would tell a database with applied revisions that it is "at base".
 */
export class MigrationsFolderNotFoundError extends CodedError {
  readonly code = 'MIGRATIONS_FOLDER_NOT_FOUND';
  constructor(readonly folder: string) {
    super(`the migrations folder ${folder} does not exist`);
  }
}

export interface ReadDirectoryOptions {
  /**
   * What an absent folder means: an error (the default), or no migrations yet, for the callers that create the
   * folder (the first migration of a project, setup, import).
   */
  readonly missing?: 'error' | 'empty';
}

/** Every migration file in `dir`, sorted by file name. */
export function readMigrationDirectory(dir: string, options: ReadDirectoryOptions = {}): MigrationFile[] {
  if (!existsSync(dir)) {
    if (options.missing === 'empty') return [];
    throw new MigrationsFolderNotFoundError(dir);
  }
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => MIGRATION_FILE.test(entry.name) && !NOT_A_MIGRATION.test(entry.name))
    // A symbolic link counts when it leads to a file.
    .filter((entry) => entry.isFile() || (entry.isSymbolicLink() && statSync(join(dir, entry.name)).isFile()))
    .map((entry) => entry.name)
    .sort();
  const files: MigrationFile[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    const metadata = readMigrationMetadata(text, file);
    const earlier = seen.get(metadata.revision);
    if (earlier) throw new DuplicateRevisionError(metadata.revision, [earlier, file]);
    seen.set(metadata.revision, file);
    files.push({ ...metadata, file, checksum: checksumOf(text), text });
  }
  return files;
}

/**
 * Runs one migration file and returns its `up` and `down`. The text read for the checksum is the text that runs, so
 * a file edited during a run cannot execute something other than what was recorded. A migration runs as its
 * project's module system says (an ES module in a `"type": "module"` package), like the entities it may import.
 */
export async function loadMigrationFunctions(migration: MigrationFile): Promise<MigrationFunctions> {
  let exports: Record<string, unknown>;
  try {
    exports = await loadUserModuleAsync(migration.file, migration.text);
  } catch (error) {
    if (error instanceof TypeScriptSyntaxError || error instanceof ImportNotFoundError) throw error;
    if (error instanceof ModuleLoadError && error.file !== migration.file) throw error;
    const cause = error instanceof ModuleLoadError ? error.cause : error;
    const failure = new MigrationFileError(
      migration.file,
      `failed while loading: ${firstLineOf(cause)}; fix it (or what it imports) and run again.`,
    );
    failure.cause = cause;
    throw failure;
  }
  const up = exports['up'];
  const down = exports['down'];
  for (const [name, value] of [
    ['up', up],
    ['down', down],
  ] as const) {
    if (typeof value !== 'function') {
      throw new MigrationFileError(
        migration.file,
        `exports no \`${name}\` function; write \`export async function ${name}(queryRunner: QueryRunner): Promise<void> { ... }\`.`,
      );
    }
  }
  return { up: up as MigrationFunction, down: down as MigrationFunction };
}

/** `loadMigrationFunctions`, after waiting for the file's transpilation if `transpileAhead` started one. */
export async function loadMigrationFunctionsAhead(migration: MigrationFile): Promise<MigrationFunctions> {
  await whenTranspiled(migration.text, migration.file);
  return loadMigrationFunctions(migration);
}

/** A path for messages: relative to `root` when inside it. */
export function displayPath(file: string, root: string): string {
  const path = relative(root, file);
  return path && !path.startsWith('..') ? path : file;
}
