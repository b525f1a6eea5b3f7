import { oneQueryAtATime } from './one-query-at-a-time';
import type { DataSource, DataSourceOptions, QueryRunner, Table } from 'typeorm';
import { OWN_SCHEMA, readExistingColumns, suppressSpuriousChanges, type ExistingColumns } from './autogenerate/spurious-changes';
import { bindCurrentDatabase } from './autogenerate/typeorm-metadata';
import { addEnumValueStatements, restoreEnumStatements } from './autogenerate/enum-values';
import { describeRename, likelyRenames, renameHintOf, renamesFromHints, withoutRenamed, type Rename, type TableShape } from './autogenerate/renames';
import { tableFilter, type TableFilter, type TableFilterOptions } from './autogenerate/table-filter';
import { leaveOutExcludedEntities, readSchemaShapes, refuseCollidingTables, type EnumUse, type SchemaShapes } from './autogenerate/schema-shapes';
import { CodedError } from '../../../core/src/errors';

/**
 * The difference between a project's entities and a database, as TypeORM's own schema builder sees it
 * (`driver.createSchemaBuilder().log()`), made fit to be written into a migration file.
 */

/** One SQL statement with its bind parameters, as `queryRunner.query(sql, parameters)` takes them. */
export interface SqlStatement {
  readonly sql: string;
  readonly parameters?: readonly unknown[];
}

export interface SchemaDifference {
  /** What brings the database to the entities, in order. */
  readonly up: readonly SqlStatement[];
  /** What undoes `up`, already in the order to run it (the reverse of `up`). */
  readonly down: readonly SqlStatement[];
  /** `false` when `up` adds enum values, which PostgreSQL cannot use in the transaction that adds them. */
  readonly transactional?: false;
  /** What a person should know before applying it (a likely rename generated as drop and add). */
  readonly warnings?: readonly string[];
}

/** The data source is not one whose schema we can diff (only PostgreSQL is, for now). */
export class UnsupportedDataSourceError extends CodedError {
  readonly code = 'UNSUPPORTED_DATA_SOURCE';
  constructor(readonly type: string) {
    super(`autogenerate supports PostgreSQL data sources only, not ${type}`);
  }
}

/**
 * The data source's options pointed at another database: same entities, naming strategy, schema and metadata
 * table name, but nothing that would change that database on connect (no synchronize, no migrations run).
 */
export function optionsForDatabase(options: DataSourceOptions, url: string): DataSourceOptions {
  if (options.type !== 'postgres') throw new UnsupportedDataSourceError(options.type);
  // Everything that points the connection somewhere else goes; the rest (entities, naming strategy, schema,
  // metadata table name, uuid extension) stays as the user wrote it.
  const rest: Record<string, unknown> = { ...options };
  for (const key of ['host', 'port', 'username', 'password', 'database', 'ssl', 'replication', 'extra']) delete rest[key];
  return {
    ...rest,
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    dropSchema: false,
    migrations: [],
    logging: false,
  } as DataSourceOptions;
}

/**
 * Connects a copy of `dataSource` (the user's own `typeorm` class, so that entity decorators registered there are
 * found) to `url`, through `driver` instead of `pg` when given (TypeORM's `driver` option). The caller destroys it.
 */
export async function connectDataSourceTo(dataSource: DataSource, url: string, driver?: unknown): Promise<DataSource> {
  const DataSourceClass = dataSource.constructor as new (options: DataSourceOptions) => DataSource;
  const options = optionsForDatabase(dataSource.options, url);
  const copy = oneQueryAtATime(new DataSourceClass(driver ? ({ ...options, driver } as DataSourceOptions) : options));
  try {
    await copy.initialize();
  } catch (error) {
    if (copy.isInitialized) await copy.destroy();
    throw error;
  }
  return copy;
}

export interface DiffOptions {
  /** Tables to compare or leave alone (`include`/`exclude` patterns); the tool's own tables are never touched. */
  readonly filter?: TableFilterOptions;
  /** `--rename` values: `table.old:new` (a column), `old:new` (a table). */
  readonly renames?: readonly string[];
  /** Asks whether a likely rename is one (on a terminal); without it, likely renames become warnings. */
  readonly confirmRename?: (rename: Rename, hint: string) => Promise<boolean>;
  /**
   * TypeORM's builder reads every table of the schemas its entities are in, and keeps those it asked for: the
   * questions asked of the database then depend on what it holds, not on the entities (for recorded answers).
   */
  readonly wholeSchemas?: boolean;
}

/**
 * What brings the database behind `connected` to its entities: TypeORM's schema builder, plus what it does not do
 * (drop tables no entity owns, rename, append enum values), each with its inverse for `down`.
 *
 * Everything is worked out in one transaction on one query runner, rolled back at the end: renames and appended
 * enum values are applied there first, so that TypeORM's builder compares what remains; the database is left as it
 * was. One connection is enough (the commands' working copies have one).
 */
export async function diffSchema(connected: DataSource, options: DiffOptions = {}): Promise<SchemaDifference> {
  refuseCollidingTables(connected);
  const filter = tableFilter(options.filter);
  const restoreSynchronize = leaveOutExcludedEntities(connected, filter);
  const queryRunner = connected.createQueryRunner();
  try {
    await queryRunner.startTransaction();
    try {
      return await diffWithin(connected, queryRunner, filter, options);
    } finally {
      await queryRunner.rollbackTransaction();
    }
  } finally {
    await queryRunner.release();
    restoreSynchronize();
  }
}

async function diffWithin(
  connected: DataSource,
  queryRunner: QueryRunner,
  filter: TableFilter,
  options: DiffOptions,
): Promise<SchemaDifference> {
  const database = (await queryRunner.getCurrentDatabase()) ?? '';
  const metadataTable = connected.metadataTableName;
  const schema = await readSchemaShapes(connected, queryRunner, filter);

  const warnings: string[] = [];
  const renames = renamesFromHints(options.renames ?? [], schema.difference, schema.defaultSchema);
  for (const rename of likelyRenames(withoutRenamed(schema.difference, renames))) {
    const hint = renameHintOf(rename, schema.defaultSchema);
    if (options.confirmRename && (await options.confirmRename(rename, hint))) {
      renames.push(rename);
      continue;
    }
    warnings.push(
      `Warning: ${describeRename(rename).replace(' -> ', ' dropped and ')} added look like a rename; ` +
        `generated as a drop and an add, which loses its data. To rename instead, generate again with --rename=${hint}.`,
    );
  }
  const renamed = await applyRenames(queryRunner, renames);
  const appended = await appendEnumValues(queryRunner, schema);
  const catalog = options.wholeSchemas ? wholeCatalog(queryRunner) : undefined;
  const built = await suppressSpuriousChanges(
    await logSchemaBuilder(connected, queryRunner, catalog),
    queryRunner,
    catalog?.existingColumns,
  );
  const dropped = await dropRemovedTables(queryRunner, schema, withoutRenamed(schema.difference, renames).removedTables);
  if (catalog) {
    // Asked whether needed or not, so that a shadow's recorded answers hold them for the next comparison, whatever
    // it adds (a column, an enum type).
    await catalog.existingColumns();
    await catalog.typeNames();
  }

  // Each part's `down` is in the order to run it; parts are undone in the reverse of their order in `up`.
  const parts = [renamed, appended, { up: built.up, down: [...built.down].reverse() }, dropped];
  let up = parts.flatMap((part) => part.up);
  if (up.length === 0) return { up: [], down: [], ...(warnings.length > 0 ? { warnings } : {}) };
  let down = [...parts].reverse().flatMap((part) => part.down);
  const createMetadataTable = await typeormMetadataTableIfMissing(connected, queryRunner, up);
  if (createMetadataTable) {
    up = [...createMetadataTable.up, ...up];
    down = [...down, ...[...createMetadataTable.down].reverse()];
  }
  return {
    up: up.map((statement) => bindCurrentDatabase(statement, database, metadataTable)),
    down: down.map((statement) => bindCurrentDatabase(statement, database, metadataTable)),
    ...(appended.up.length > 0 ? { transactional: false } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** TypeORM's builder (`log()`: the SQL it would run, nothing run), made to use `queryRunner` and its transaction. */
async function logSchemaBuilder(connected: DataSource, queryRunner: QueryRunner, catalog: WholeCatalog | undefined): Promise<SchemaDifference> {
  const builder = connected.driver.createSchemaBuilder();
  // TypeORM renames a column on its own when it is the only one that differs (same type, nullability, uniqueness),
  // without asking: a column dropped and another added is then silently given the old one's data. Renames are
  // decided before the builder runs (asked, or named with --rename), so its own guess is switched off.
  (builder as unknown as { renameColumns: () => Promise<void> }).renameColumns = () => Promise.resolve();
  const paths = rememberTablePaths(builder);
  const patchedSource = connected as unknown as { createQueryRunner: () => QueryRunner };
  const patchedRunner = queryRunner as unknown as {
    release: () => Promise<void>;
    loadedTables: unknown[];
    getTables: (names?: string[]) => Promise<Table[]>;
  };
  patchedSource.createQueryRunner = () => queryRunner;
  patchedRunner.release = () => Promise.resolve();
  patchedRunner.loadedTables = [];
  if (paths) {
    // The tables the builder loads (its `tables`, the runner's `loadedTables`) find by path through an index.
    const getTables = queryRunner.getTables;
    patchedRunner.getTables = async (names?: string[]) => findByPath(await getTables.call(queryRunner, names), paths);
  }
  const restoreLoadTables = catalog ? loadWholeSchemas(connected, queryRunner) : () => undefined;
  const restoreHasEnumType = catalog ? enumTypesFromCatalog(connected, queryRunner, catalog) : () => undefined;
  try {
    const memory = await builder.log();
    return { up: memory.upQueries.map(toStatement), down: memory.downQueries.map(toStatement) };
  } finally {
    restoreHasEnumType();
    restoreLoadTables();
    delete (patchedSource as Partial<typeof patchedSource>).createQueryRunner;
    delete (patchedRunner as Partial<typeof patchedRunner>).release;
    delete (patchedRunner as Partial<typeof patchedRunner>).getTables;
    patchedRunner.loadedTables = [];
  }
}

/**
 * Whole-catalog reads asked once per comparison, in words that do not depend on the entities, in place of questions
 * about one table or type: every existing column (for the spurious-change check) and every type name of the
 * database's own schemas (for TypeORM's `hasEnumType`).
 */
interface WholeCatalog {
  existingColumns(): Promise<ExistingColumns>;
  typeNames(): Promise<Set<string>>;
}

function wholeCatalog(queryRunner: QueryRunner): WholeCatalog {
  let columns: Promise<ExistingColumns> | undefined;
  let types: Promise<Set<string>> | undefined;
  return {
    existingColumns: () => (columns ??= readExistingColumns(queryRunner)),
    typeNames: () =>
      (types ??= queryRunner
        .query(
          `SELECT n.nspname AS "schema", t.typname AS "name" FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace ` +
            `WHERE ${OWN_SCHEMA}`,
        )
        .then((rows: { schema: string; name: string }[]) => new Set(rows.map((row) => `${row.schema}\0${row.name}`)))),
  };
}

/** Schemas `wholeCatalog` does not read (not `OWN_SCHEMA`): TypeORM's own question is asked for a type in one of them. */
const SYSTEM_SCHEMA = /^(pg_.*|information_schema)$/;

type EnumTypeAsker = {
  hasEnumType(table: Table, column: unknown): Promise<boolean>;
  buildEnumName?(table: Table, column: unknown, withSchema: boolean, disableEscape: boolean): string;
};

/**
 * Makes `queryRunner`'s `hasEnumType` (TypeORM asks it for each enum column it creates or changes) answer from the
 * catalog's type names: whether a type of the name TypeORM builds exists in the table's schema. Returns what undoes it.
 */
function enumTypesFromCatalog(connected: DataSource, queryRunner: QueryRunner, catalog: WholeCatalog): () => void {
  const runner = queryRunner as unknown as EnumTypeAsker;
  const original = runner.hasEnumType;
  const own = Object.prototype.hasOwnProperty.call(runner, 'hasEnumType');
  runner.hasEnumType = async function (this: EnumTypeAsker, table: Table, column: unknown): Promise<boolean> {
    const schema = connected.driver.parseTableName(table).schema ?? (await queryRunner.getCurrentSchema());
    if (!schema || typeof this.buildEnumName !== 'function' || SYSTEM_SCHEMA.test(schema)) return original.call(this, table, column);
    const name = this.buildEnumName(table, column, false, true);
    return (await catalog.typeNames()).has(`${schema}\0${name}`);
  };
  return () => {
    if (own) runner.hasEnumType = original;
    else delete (runner as Partial<EnumTypeAsker>).hasEnumType;
  };
}

type TableLoader = { loadTables(names?: string[]): Promise<Table[]> };

/** Tables read by one of TypeORM's `loadTables` in `loadWholeSchemas`. */
export const TABLES_PER_LOAD = 200;

/**
 * Makes `queryRunner` load tables by reading every table of the schemas of the names it is given (in one order), then
 * return those named, in the order named: what TypeORM's `loadTables` returns for them, asked in words that do not
 * depend on the entities. Returns what undoes it.
 */
export function loadWholeSchemas(connected: DataSource, queryRunner: QueryRunner): () => void {
  const runner = queryRunner as unknown as TableLoader;
  const original = runner.loadTables;
  const own = Object.prototype.hasOwnProperty.call(runner, 'loadTables');
  runner.loadTables = async function (this: TableLoader, names?: string[]): Promise<Table[]> {
    if (!names || names.length === 0) return original.call(this, names);
    const currentSchema = await queryRunner.getCurrentSchema();
    const wanted = names.map((name) => {
      const parsed = connected.driver.parseTableName(name);
      return { schema: parsed.schema ?? currentSchema, table: parsed.tableName };
    });
    const schemas = [...new Set(wanted.map((name) => name.schema))].sort();
    const rows: { schema: string; table: string }[] = await queryRunner.query(
      `SELECT "table_schema" AS "schema", "table_name" AS "table" FROM "information_schema"."tables" ` +
        `WHERE "table_schema" = ANY($1::text[]) ORDER BY 1, 2`,
      [schemas],
    );
    // TypeORM parses `schema.table`: a name with a dot or a quote in it is asked for as the entities name it.
    if (rows.some((row) => /[."']/.test(row.schema + row.table))) return original.call(this, names);
    // In slices: TypeORM matches every column, constraint and index it reads with every table it loads (thousands of
    // tables: seconds), and a slice's tables do not depend on the entities either.
    const loaded: Table[] = [];
    for (let from = 0; from < rows.length; from += TABLES_PER_LOAD) {
      const slice = rows.slice(from, from + TABLES_PER_LOAD);
      loaded.push(...(await original.call(this, slice.map((row) => `${row.schema}.${row.table}`))));
    }
    const byName = new Map(loaded.map((table) => [`${table.schema}\0${connected.driver.parseTableName(table).tableName}`, table]));
    const found = new Set<Table>();
    for (const name of wanted) {
      const table = byName.get(`${name.schema}\0${name.table}`);
      if (table) found.add(table);
    }
    return [...found];
  };
  return () => {
    if (own) runner.loadTables = original;
    else delete (runner as Partial<TableLoader>).loadTables;
  };
}

/**
 * TypeORM's builder finds each entity's table by comparing `getTablePath(table) === getTablePath(metadata)` over
 * every loaded table, for every entity, in each of its dozen phases: with 1,000 entities, some fifteen million calls
 * that parse and rebuild the same names (about 10 s of `migrate-check`). The path of an object is kept while the
 * fields it is made of stay the same (a renamed table gets a new one).
 */
function rememberTablePaths(builder: object): TablePaths | undefined {
  const patched = builder as { getTablePath?: (target: unknown) => string };
  const original = patched.getTablePath;
  if (typeof original !== 'function') return undefined;
  const byName = new Map<string, string>();
  const paths: TablePaths = { pathOf: (target) => patched.getTablePath!.call(builder, target) };
  patched.getTablePath = function (target: unknown): string {
    const path = pathOf.call(this, target);
    paths.seen?.push(path);
    return path;
  };
  return paths;

  function pathOf(this: unknown, target: unknown): string {
    if (typeof target === 'string') {
      let path = byName.get(target);
      if (path === undefined) byName.set(target, (path = original!.call(this, target)));
      return path;
    }
    if (!target || typeof target !== 'object') return original!.call(this, target);
    // A table's `name` is what a rename changes (a foreign key's path is its `referencedTableName`); an entity's
    // `name` (its class) never changes.
    const remembered = target as {
      name?: unknown;
      referencedTableName?: unknown;
      [TABLE_PATH]?: { name: unknown; referenced: unknown; path: string };
    };
    const known = remembered[TABLE_PATH];
    if (known && known.name === remembered.name && known.referenced === remembered.referencedTableName) return known.path;
    const path = original!.call(this, target);
    const value = { name: remembered.name, referenced: remembered.referencedTableName, path };
    Object.defineProperty(target, TABLE_PATH, { value, configurable: true, writable: true });
    return path;
  }
}

/** The builder's `getTablePath`, and while `seen` is set, every path it gave. */
interface TablePaths {
  pathOf(target: unknown): string;
  seen?: string[];
}

/**
 * Gives `tables` a `find` that answers TypeORM's builder without a scan: its dozen phases each look up every entity's
 * table with `tables.find((table) => getTablePath(table) === getTablePath(metadata))`, which makes N² path
 * comparisons (3,000 entities: seconds). The predicate is run on the first table, the path it compares with is read
 * off the paths it asked for, and the table of that path is taken from an index (by path, rebuilt when the list
 * grows or an entry no longer matches) and checked with the predicate itself. Any other predicate, and every table
 * not found so, gets the plain scan: the result is always what `Array.prototype.find` gives.
 */
export function findByPath<T>(tables: T[], paths: TablePaths): T[] {
  if (!Array.isArray(tables)) return tables;
  let index: Map<string, T> | undefined;
  let indexedLength = -1;
  const build = () => {
    index = new Map();
    for (const table of tables) {
      const path = paths.pathOf(table);
      if (!index.has(path)) index.set(path, table);
    }
    indexedLength = tables.length;
  };
  const plainFind = Array.prototype.find;
  Object.defineProperty(tables, 'find', {
    configurable: true,
    writable: true,
    value(this: T[], predicate: (table: T, at: number, all: T[]) => unknown, thisArg?: unknown): T | undefined {
      if (this !== tables || this.length === 0) return plainFind.call(this, predicate, thisArg) as T | undefined;
      const seen: string[] = [];
      paths.seen = seen;
      let first: unknown;
      try {
        first = predicate.call(thisArg, this[0]!, 0, this);
      } finally {
        paths.seen = undefined;
      }
      if (first) return this[0];
      if (seen.length === 2 && seen[0] === paths.pathOf(this[0])) {
        for (const rebuilt of [false, true]) {
          if (rebuilt || indexedLength !== this.length) build();
          const candidate = index!.get(seen[1]!);
          if (candidate === undefined) break;
          const at = this.indexOf(candidate);
          if (at >= 0 && predicate.call(thisArg, candidate, at, this)) return candidate;
        }
      }
      for (let at = 1; at < this.length; at += 1) if (predicate.call(thisArg, this[at]!, at, this)) return this[at];
      return undefined;
    },
  });
  return tables;
}

const TABLE_PATH = Symbol('nx-typeorm-migrations table path');

/** Runs `work` with TypeORM's SQL memory on, and returns what it would run, `down` in the order to run it. */
async function remembered(queryRunner: QueryRunner, work: () => Promise<void>): Promise<SchemaDifference> {
  queryRunner.enableSqlMemory();
  try {
    await work();
    const memory = queryRunner.getMemorySql();
    return { up: memory.upQueries.map(toStatement), down: memory.downQueries.map(toStatement).reverse() };
  } finally {
    queryRunner.disableSqlMemory();
  }
}

/** TypeORM's own `renameTable`/`renameColumn` (which also rename sequences, constraints, indexes, enum types by their default names), then applied. */
async function applyRenames(queryRunner: QueryRunner, renames: readonly Rename[]): Promise<SchemaDifference> {
  if (renames.length === 0) return { up: [], down: [] };
  const part = await remembered(queryRunner, async () => {
    for (const rename of renames) {
      if (rename.kind === 'table') await queryRunner.renameTable(`${rename.schema}.${rename.from}`, rename.to);
      else await queryRunner.renameColumn(`${rename.schema}.${rename.table}`, rename.from, rename.to);
    }
  });
  for (const statement of part.up) await queryRunner.query(statement.sql, statement.parameters as unknown[]);
  (queryRunner as unknown as { loadedTables: unknown[] }).loadedTables = [];
  return part;
}

/** `ALTER TYPE ... ADD VALUE` for enums whose entity values are the database's plus some at the end, then applied. */
async function appendEnumValues(queryRunner: QueryRunner, schema: SchemaShapes): Promise<SchemaDifference> {
  const rows: { version: string }[] = await queryRunner.query(`SELECT current_setting('server_version_num') AS version`);
  // Before PostgreSQL 12 ADD VALUE cannot even be tried in this transaction: TypeORM's rebuild of the type stays.
  if (Number(rows[0]?.version) < 120000) return { up: [], down: [] };
  const up: SqlStatement[] = [];
  const down: SqlStatement[] = [];
  for (const change of schema.enumAppends) {
    up.push(...addEnumValueStatements(change.type, change.added));
    down.unshift(...restoreEnumStatements(change.type, change.before, change.columns));
  }
  for (const statement of up) await queryRunner.query(statement.sql);
  return { up, down };
}

/**
 * Tables no entity owns: their foreign keys first (a dropped table may reference another), then the tables with
 * their indexes (their sequences go with them), then the enum types only they used. `down` recreates them all.
 */
async function dropRemovedTables(queryRunner: QueryRunner, schema: SchemaShapes, removed: readonly TableShape[]): Promise<SchemaDifference> {
  if (removed.length === 0) return { up: [], down: [] };
  const tables = await queryRunner.getTables(removed.map((table) => `${table.schema}.${table.name}`));
  const part = await remembered(queryRunner, async () => {
    for (const table of tables) if (table.foreignKeys.length > 0) await queryRunner.dropForeignKeys(table, [...table.foreignKeys]);
    for (const table of tables) await queryRunner.dropTable(table, false, false, true);
  });
  const droppedNames = new Set(removed.map((table) => `${table.schema}.${table.name}`));
  const types = new Map<string, EnumUse>();
  for (const use of schema.enumUses) {
    if (droppedNames.has(`${use.schema}.${use.table}`)) types.set(`${use.typeSchema}.${use.typeName}`, use);
  }
  const dropTypes: SqlStatement[] = [];
  const createTypes: SqlStatement[] = [];
  for (const [key, use] of types) {
    const usedElsewhere = schema.enumUses.some(
      (other) => `${other.typeSchema}.${other.typeName}` === key && !droppedNames.has(`${other.schema}.${other.table}`),
    );
    if (usedElsewhere || schema.enumTypesOfEntities.has(key)) continue;
    const quoted = `"${use.typeSchema}"."${use.typeName}"`;
    dropTypes.push({ sql: `DROP TYPE ${quoted}` });
    createTypes.push({ sql: `CREATE TYPE ${quoted} AS ENUM(${use.labels.map((label) => `'${label.replace(/'/g, "''")}'`).join(', ')})` });
  }
  return { up: [...part.up, ...dropTypes], down: [...createTypes, ...part.down] };
}

/**
 * TypeORM records view definitions and generated-column expressions in its own `typeorm_metadata` table, and its
 * builder writes rows there, but only `synchronize` creates the table: a migration that inserts into it must
 * create it first, or it fails on a fresh database.
 */
async function typeormMetadataTableIfMissing(
  connected: DataSource,
  queryRunner: QueryRunner,
  up: readonly SqlStatement[],
): Promise<SchemaDifference | undefined> {
  const tableName = connected.metadataTableName;
  if (!up.some((statement) => statement.sql.includes(`"${tableName}"`))) return undefined;
  const qualified = connected.driver.buildTableName(tableName, connected.driver.schema, connected.driver.database);
  if (await queryRunner.hasTable(qualified)) return undefined;
  const builder = connected.driver.createSchemaBuilder() as unknown as {
    createTypeormMetadataTable(queryRunner: QueryRunner): Promise<void>;
  };
  queryRunner.enableSqlMemory();
  try {
    await builder.createTypeormMetadataTable(queryRunner);
    const memory = queryRunner.getMemorySql();
    return { up: memory.upQueries.map(toStatement), down: memory.downQueries.map(toStatement) };
  } finally {
    queryRunner.disableSqlMemory();
  }
}

function toStatement(query: { query: string; parameters?: unknown[] }): SqlStatement {
  return query.parameters && query.parameters.length > 0
    ? { sql: query.query, parameters: query.parameters }
    : { sql: query.query };
}
