import Module from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { readExportedLiteral } from '../../../core/src/migration-file';
import type { SqlSession } from './lock';
import { CodedError } from '../../../core/src/errors';

/**
 * TypeORM's own migration history, for projects moving over from TypeORM's CLI: the class migrations its data source
 * lists (found the way TypeORM finds them, with the user's `typeorm`), the rows of its `migrations` table, and how
 * those rows map onto the revisions that `import-typeorm` wrote (each carries `export const typeormName = '...'`).
 */

/** A TypeORM class migration as TypeORM would run it. */
export interface TypeormMigrationClass {
  /** `name` of the instance, else the class name: what TypeORM writes into its `migrations` table. */
  readonly name: string;
  /** The JavaScript timestamp TypeORM reads from the last 13 characters of the name, and sorts by. */
  readonly timestamp: number;
  /** The file that exports the class. */
  readonly file: string;
  /** The export that holds the class: `default` or the exported name. */
  readonly exportName: string;
  /** `false` when the migration sets `transaction = false` (TypeORM then runs it outside a transaction). */
  readonly transactional: boolean;
}

/** A row of TypeORM's `migrations` table. */
export interface TypeormHistoryRow {
  readonly id: number;
  readonly timestamp: number;
  readonly name: string;
}

/** A revision that `import-typeorm` wrote from a TypeORM migration. */
export interface ImportedRevision {
  readonly revision: string;
  readonly typeormName: string;
}

/** What the first `migrate` found in TypeORM's table: the revision to stamp and the TypeORM names it stands for. */
export interface TypeormRecognition {
  readonly revision: string;
  readonly typeormNames: readonly string[];
}

/** A migration class whose name TypeORM itself would reject (no 13-digit timestamp at its end). */
export class TypeormMigrationNameError extends CodedError {
  readonly code = 'TYPEORM_MIGRATION_NAME';
  constructor(
    readonly migrationName: string,
    readonly file: string,
  ) {
    super(`${file}: the migration ${migrationName} has no JavaScript timestamp at the end of its name`);
  }
}

/** A migration class that cannot be traced back to the file exporting it (defined inline in the data source, say). */
export class TypeormMigrationFileNotFoundError extends CodedError {
  readonly code = 'TYPEORM_MIGRATION_FILE_NOT_FOUND';
  constructor(readonly migrationName: string) {
    super(`the TypeORM migration ${migrationName} is not exported by any file the data source loads`);
  }
}

/** TypeORM's table lists migrations that no imported revision stands for. */
export class UnknownTypeormMigrationsError extends CodedError {
  readonly code = 'UNKNOWN_TYPEORM_MIGRATIONS';
  constructor(
    readonly table: string,
    readonly unknownNames: readonly string[],
  ) {
    super(`TypeORM's ${table} table lists ${unknownNames.join(', ')}, which no revision was imported from`);
  }
}

/** TypeORM's table skips a migration that comes before one it lists: the database is not at any single revision. */
export class TypeormHistoryGapError extends CodedError {
  readonly code = 'TYPEORM_HISTORY_GAP';
  constructor(
    readonly table: string,
    readonly missingName: string,
    readonly laterName: string,
  ) {
    super(`TypeORM's ${table} table lists ${laterName} but not ${missingName}, which runs before it`);
  }
}

/**
 * The migrations the data source's `migrations` setting lists (globs, classes, or both), in the order TypeORM runs
 * them: by the timestamp that ends their name, ties in listing order. The user's `typeorm` builds them, so the globs
 * match exactly what TypeORM's CLI would load; each class is then traced to the file that exports it through Node's
 * module cache (TypeORM loads migration files with `require`, through the TypeScript loader). Relative globs are
 * resolved from `globBase` (the workspace root, where Nx runs TypeORM's CLI from), not from the current directory.
 */
export async function findTypeormMigrations(
  dataSource: { readonly options: object },
  globBase: string,
): Promise<TypeormMigrationClass[]> {
  const options = dataSource.options as { migrations?: unknown };
  const setting = options.migrations ?? [];
  const listed = (
    Array.isArray(setting) ? setting : typeof setting === 'object' ? Object.values(setting) : [setting]
  ).map((entry: unknown) => (typeof entry === 'string' && !isAbsolute(entry) ? resolve(globBase, entry) : entry));
  // A copy of the user's DataSource with migrations only: its (protected) buildMetadatas loads them exactly as
  // TypeORM's CLI does, through the user's typeorm, without validating or even loading entities.
  const DataSourceClass = dataSource.constructor as new (options: object) => {
    buildMetadatas(): Promise<void>;
    migrations: object[];
  };
  const copy = new DataSourceClass({ ...options, entities: [], subscribers: [], migrations: listed });
  await copy.buildMetadatas();
  const instances = copy.migrations;
  const migrations = instances.map((instance) => {
    const migrationClass = instance.constructor;
    const name = (instance as { name?: string }).name ?? migrationClass.name;
    const origin = exportingModuleOf(migrationClass);
    if (!origin) throw new TypeormMigrationFileNotFoundError(name);
    const timestamp = typeormTimestampOf(name);
    if (timestamp === undefined) throw new TypeormMigrationNameError(name, origin.file);
    const transactional = (instance as { transaction?: boolean }).transaction !== false;
    return {
      name,
      timestamp,
      file: origin.file,
      exportName: origin.exportName,
      transactional,
    };
  });
  return sortLikeTypeorm(migrations);
}

/** TypeORM's rule: the last 13 characters of the name, read as an integer; 0 or not a number is an error. */
export function typeormTimestampOf(name: string): number | undefined {
  const timestamp = parseInt(name.slice(-13), 10);
  return Number.isNaN(timestamp) || timestamp === 0 ? undefined : timestamp;
}

/** By timestamp, ties kept in listing order (TypeORM's `sort` is stable too). */
export function sortLikeTypeorm<T extends { readonly timestamp: number }>(migrations: readonly T[]): T[] {
  return [...migrations].sort((a, b) => a.timestamp - b.timestamp);
}

function exportingModuleOf(migrationClass: unknown): { file: string; exportName: string } | undefined {
  const cache = (Module as unknown as { _cache: Record<string, Module | undefined> })._cache;
  for (const [file, module] of Object.entries(cache)) {
    if (!module || file.includes('/node_modules/') || file.includes('\\node_modules\\')) continue;
    const exports = module.exports as unknown;
    if (exports === migrationClass) return { file, exportName: 'default' };
    if (!exports || typeof exports !== 'object') continue;
    for (const [exportName, value] of Object.entries(exports)) {
      if (value === migrationClass) return { file, exportName };
    }
  }
  return undefined;
}

/**
 * The rows of TypeORM's migrations table (`migrationsTableName`, default `migrations`, in the data source's
 * `schema` or the current schema), oldest first; `undefined` when the table does not exist.
 */
export async function readTypeormHistory(
  session: SqlSession,
  table: TypeormHistoryTable,
): Promise<TypeormHistoryRow[] | undefined> {
  const qualified = qualifiedTableName(table);
  const [found] = (await session.query('select to_regclass($1) is not null as "exists"', [qualified])) as Array<{
    exists: boolean;
  }>;
  if (found?.exists !== true) return undefined;
  const rows = (await session.query(`select "id", "timestamp", "name" from ${qualified} order by "id"`)) as Array<
    Record<string, unknown>
  >;
  return rows.map((row) => ({ id: Number(row['id']), timestamp: Number(row['timestamp']), name: String(row['name']) }));
}

export interface TypeormHistoryTable {
  /** The data source's `migrationsTableName`, default `migrations`. */
  readonly name?: string;
  /** The data source's `schema`; default the connection's current schema. */
  readonly schema?: string;
}

/** The table TypeORM keeps its history in, for this data source's options. */
export function typeormHistoryTableOf(options: { migrationsTableName?: string; schema?: string }): TypeormHistoryTable {
  return { name: options.migrationsTableName, schema: options.schema };
}

export function qualifiedTableName(table: TypeormHistoryTable): string {
  const name = quoteIdentifier(table.name ?? 'migrations');
  return table.schema ? `${quoteIdentifier(table.schema)}.${name}` : name;
}

function quoteIdentifier(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/**
 * The imported revisions among a migrations directory's files, in chain order (base first): each file that
 * exports `typeormName` (read statically), ordered by following `downRevision` from the base.
 */
export function importedRevisionsOf(
  files: readonly {
    readonly file: string;
    readonly text: string;
    readonly revision: string;
    readonly downRevisions: readonly string[];
  }[],
): ImportedRevision[] {
  const imported = files.flatMap((entry) => {
    const typeormName = readExportedLiteral(entry.text, 'typeormName', entry.file);
    return typeof typeormName === 'string'
      ? [
          {
            revision: entry.revision,
            typeormName,
            downRevisions: entry.downRevisions,
          },
        ]
      : [];
  });
  const byParent = new Map<string | null, (typeof imported)[number]>();
  for (const entry of imported) {
    const parent = entry.downRevisions.find((id) => imported.some((other) => other.revision === id)) ?? null;
    byParent.set(parent, entry);
  }
  const chain: ImportedRevision[] = [];
  for (let next = byParent.get(null); next; next = byParent.get(next.revision)) {
    chain.push({ revision: next.revision, typeormName: next.typeormName });
  }
  return chain;
}

/**
 * Which imported revision a database stands at, judged from TypeORM's table: the rows must name exactly the first
 * N imported migrations (any order of ids: TypeORM runs late-added older migrations late). Returns `undefined`
 * when TypeORM ran none of them. Throws when a row names no imported migration, or when the rows skip one.
 */
export function recogniseTypeormHistory(
  rows: readonly TypeormHistoryRow[],
  imported: readonly ImportedRevision[],
  tableLabel: string,
): TypeormRecognition | undefined {
  const applied = new Set(rows.map((row) => row.name));
  const known = new Set(imported.map((entry) => entry.typeormName));
  const unknown = [...applied].filter((name) => !known.has(name));
  if (unknown.length) throw new UnknownTypeormMigrationsError(tableLabel, unknown);
  const prefixLength = imported.findIndex((entry) => !applied.has(entry.typeormName));
  const count = prefixLength === -1 ? imported.length : prefixLength;
  const later = imported.slice(count).find((entry) => applied.has(entry.typeormName));
  if (later) throw new TypeormHistoryGapError(tableLabel, imported[count].typeormName, later.typeormName);
  if (count === 0) return undefined;
  return {
    revision: imported[count - 1].revision,
    typeormNames: imported.slice(0, count).map((entry) => entry.typeormName),
  };
}

/**
 * For the first `migrate`/`migrate-status` on a database with an empty version table: the imported revision that
 * TypeORM's table says the database is at, or `undefined` when the project imported nothing from TypeORM (no query
 * is made then), the table does not exist, or TypeORM ran none of the imported migrations.
 */
export async function recogniseTypeormMigrations(
  session: SqlSession,
  dataSourceOptions: { migrationsTableName?: string; schema?: string },
  files: Parameters<typeof importedRevisionsOf>[0],
): Promise<TypeormRecognition | undefined> {
  const imported = importedRevisionsOf(files);
  if (imported.length === 0) return undefined;
  const table = typeormHistoryTableOf(dataSourceOptions);
  const rows = await readTypeormHistory(session, table);
  if (!rows) return undefined;
  return recogniseTypeormHistory(rows, imported, qualifiedTableName(table));
}
