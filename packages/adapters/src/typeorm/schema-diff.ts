import type { DataSource, DataSourceOptions, QueryRunner } from 'typeorm';
import { suppressSpuriousChanges } from './autogenerate/spurious-changes';
import { bindCurrentDatabase } from './autogenerate/typeorm-metadata';

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
}

/** The data source is not one whose schema we can diff (only PostgreSQL is, for now). */
export class UnsupportedDataSourceError extends Error {
  override readonly name = 'UnsupportedDataSourceError';
  constructor(readonly type: string) {
    super(`Autogenerate supports PostgreSQL data sources only; this one is "${type}".`);
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
 * found) to `url`. The caller destroys it.
 */
export async function connectDataSourceTo(dataSource: DataSource, url: string): Promise<DataSource> {
  const DataSourceClass = dataSource.constructor as new (options: DataSourceOptions) => DataSource;
  const copy = new DataSourceClass(optionsForDatabase(dataSource.options, url));
  try {
    await copy.initialize();
  } catch (error) {
    if (copy.isInitialized) await copy.destroy();
    throw error;
  }
  return copy;
}

/**
 * What TypeORM's schema builder would run to bring the database behind `connected` to its entities. Holds one query
 * runner at a time, so a data source limited to one connection (the commands' working copies) is enough.
 */
export async function diffSchema(connected: DataSource): Promise<SchemaDifference> {
  const memory = await connected.driver.createSchemaBuilder().log();
  let up: readonly SqlStatement[] = memory.upQueries.map(toStatement);
  let down: readonly SqlStatement[] = memory.downQueries.map(toStatement);
  if (up.length === 0) return { up: [], down: [] };

  const queryRunner = connected.createQueryRunner();
  try {
    const database = (await queryRunner.getCurrentDatabase()) ?? '';
    const metadataTable = connected.metadataTableName;
    up = up.map((statement) => bindCurrentDatabase(statement, database, metadataTable));
    down = down.map((statement) => bindCurrentDatabase(statement, database, metadataTable));
    ({ up, down } = await suppressSpuriousChanges({ up, down }, queryRunner));
    if (up.length === 0) return { up: [], down: [] };
    const createMetadataTable = await typeormMetadataTableIfMissing(connected, queryRunner, up);
    if (createMetadataTable) {
      up = [...createMetadataTable.up, ...up];
      down = [...createMetadataTable.down, ...down];
    }
  } finally {
    await queryRunner.release();
  }
  return { up, down: [...down].reverse() };
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
