import type { DataSource, EntityMetadata, QueryRunner } from 'typeorm';
import { appendedValues, type EnumColumn, type EnumType } from './enum-values';
import { collidingTables, TableCollisionError, type TableDefinition } from './collisions';
import type { ChangedTable, ColumnShape, ShapeDifference, TableShape } from './renames';
import { isToolTable, type TableFilter } from './table-filter';

type ColumnMetadata = EntityMetadata['columns'][number];

/**
 * What TypeORM's schema builder does not look at, read from the catalog in a few queries: the tables no entity
 * owns, the columns only one side has, and the enum types and the columns using them.
 */

/** A column whose type is an enum (or an array of one), with the enum's values. */
export interface EnumUse {
  readonly schema: string;
  readonly table: string;
  readonly column: string;
  readonly typeSchema: string;
  readonly typeName: string;
  readonly isArray: boolean;
  readonly default?: string;
  readonly labels: readonly string[];
}

/** An enum type whose entity values are its values plus some at the end. */
export interface EnumAppend {
  readonly type: EnumType;
  readonly before: readonly string[];
  readonly added: readonly string[];
  /** Every column using the type, as they are now. */
  readonly columns: readonly EnumColumn[];
}

export interface SchemaShapes {
  /** The schema of tables named without one (the data source's `schema`, else the connection's current schema). */
  readonly defaultSchema: string;
  readonly difference: ShapeDifference;
  readonly enumUses: readonly EnumUse[];
  /** `schema.name` of every enum type the compared entities use. */
  readonly enumTypesOfEntities: ReadonlySet<string>;
  readonly enumAppends: readonly EnumAppend[];
}

/** Entities TypeORM's builder compares (as `RdbmsSchemaBuilder.entityToSyncMetadatas`). */
export function syncedEntities(connected: DataSource): EntityMetadata[] {
  return connected.entityMetadatas.filter(
    (metadata) => metadata.synchronize && metadata.tableType !== 'entity-child' && metadata.tableType !== 'view',
  );
}

function defaultSchemaOf(connected: DataSource): string {
  const driver = connected.driver as unknown as { schema?: string; searchSchema?: string };
  return driver.schema ?? driver.searchSchema ?? 'public';
}

/**
 * Entities whose table the filter excludes are left out of TypeORM's comparison for this run (as if they had
 * `synchronize: false`); the returned function puts them back.
 */
export function leaveOutExcludedEntities(connected: DataSource, filter: TableFilter): () => void {
  const defaultSchema = defaultSchemaOf(connected);
  const excluded = syncedEntities(connected).filter((metadata) => !filter.includes(metadata.schema ?? defaultSchema, metadata.tableName));
  for (const metadata of excluded) metadata.synchronize = false;
  return () => {
    for (const metadata of excluded) metadata.synchronize = true;
  };
}

/** Throws {@link TableCollisionError} when two definitions (entities, join tables) name one table. */
export function refuseCollidingTables(connected: DataSource): void {
  const defaultSchema = connected.driver.options.type === 'postgres' ? defaultSchemaOf(connected) : '';
  const definitions: TableDefinition[] = connected.entityMetadatas
    .filter((metadata) => metadata.tableType !== 'entity-child' && metadata.tableType !== 'view')
    .map((metadata) => ({ table: `${metadata.schema ?? defaultSchema}.${metadata.tableName}`, definition: definitionOf(connected, metadata) }));
  const collisions = collidingTables(definitions);
  if (collisions.size > 0) throw new TableCollisionError(collisions);
}

function definitionOf(connected: DataSource, metadata: EntityMetadata): string {
  if (metadata.tableType === 'junction') {
    const relation = connected.entityMetadatas
      .flatMap((owner) => owner.relations)
      .find((candidate) => candidate.junctionEntityMetadata === metadata);
    if (relation) return `the many-to-many join table of ${relation.entityMetadata.targetName}.${relation.propertyName}`;
  }
  if (metadata.tableType === 'closure-junction') return `the closure table of ${metadata.parentClosureEntityMetadata?.targetName ?? metadata.tableName}`;
  return `entity ${metadata.targetName}`;
}

export async function readSchemaShapes(connected: DataSource, queryRunner: QueryRunner, filter: TableFilter): Promise<SchemaShapes> {
  const defaultSchema = defaultSchemaOf(connected);
  const synced = syncedEntities(connected);
  const schemaOf = (metadata: EntityMetadata) => metadata.schema ?? defaultSchema;
  const schemas = [...new Set([defaultSchema, ...synced.map(schemaOf)])];
  const owned = new Set(
    connected.entityMetadatas.filter((metadata) => metadata.tableType !== 'view').map((metadata) => `${schemaOf(metadata)}.${metadata.tableName}`),
  );
  const options = connected.options as { migrationsTableName?: string; cache?: boolean | { tableName?: string } };
  const typeormTables = [
    connected.metadataTableName,
    options.migrationsTableName ?? 'migrations',
    (typeof options.cache === 'object' && options.cache.tableName) || 'query-result-cache',
  ];

  const tableRows: { schema: string; table: string; columns: string[] }[] = await queryRunner.query(
    `SELECT n.nspname AS "schema", c.relname AS "table",
            array(SELECT a.attname::text FROM pg_attribute a
                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS "columns"
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1::text[])
        AND NOT EXISTS (SELECT 1 FROM pg_depend d
                         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`,
    [schemas],
  );
  const inDatabase = new Map(tableRows.map((row) => [`${row.schema}.${row.table}`, row.columns]));

  const removedRows = tableRows.filter(
    (row) => !owned.has(`${row.schema}.${row.table}`) && filter.includes(row.schema, row.table) && !isToolTable(row.table, typeormTables),
  );
  const changed: { metadata: EntityMetadata; removed: string[]; added: ColumnMetadata[] }[] = [];
  const added: TableShape[] = [];
  for (const metadata of synced) {
    const columns = inDatabase.get(`${schemaOf(metadata)}.${metadata.tableName}`);
    if (!columns) {
      added.push({ schema: schemaOf(metadata), name: metadata.tableName, columns: metadata.columns.map((column) => metadataColumnShape(connected, column)) });
      continue;
    }
    const names = new Set(metadata.columns.map((column) => column.databaseName));
    const removed = columns.filter((name) => !names.has(name));
    const addedColumns = metadata.columns.filter((column) => !columns.includes(column.databaseName));
    if (removed.length > 0 && addedColumns.length > 0) changed.push({ metadata, removed, added: addedColumns });
  }

  // Types of database columns come from TypeORM's own reading of the tables, for the few tables that need them.
  const toLoad = [...removedRows.map((row) => `${row.schema}.${row.table}`), ...changed.map(({ metadata }) => `${schemaOf(metadata)}.${metadata.tableName}`)];
  const loaded = toLoad.length > 0 ? await queryRunner.getTables(toLoad) : [];
  const columnsOf = (schema: string, name: string): ColumnShape[] => {
    const table = loaded.find((candidate) => {
      const parsed = connected.driver.parseTableName(candidate);
      return (parsed.schema ?? defaultSchema) === schema && parsed.tableName === name;
    });
    return (table?.columns ?? []).map((column) => ({ name: column.name, type: typeKey(column.type, column.isArray, column.enum) }));
  };
  const changedTables: ChangedTable[] = changed.map(({ metadata, removed, added: addedColumns }) => ({
    schema: schemaOf(metadata),
    name: metadata.tableName,
    removed: columnsOf(schemaOf(metadata), metadata.tableName).filter((column) => removed.includes(column.name)),
    added: addedColumns.map((column) => metadataColumnShape(connected, column)),
  }));
  const removedTables: TableShape[] = removedRows.map((row) => ({ schema: row.schema, name: row.table, columns: columnsOf(row.schema, row.table) }));

  const enumUses = await readEnumUses(queryRunner, schemas);
  const enumTypesOfEntities = new Set<string>();
  for (const metadata of synced) {
    for (const column of metadata.columns) {
      if (column.type === 'enum' || column.type === 'simple-enum') enumTypesOfEntities.add(`${schemaOf(metadata)}.${expectedEnumName(metadata, column)}`);
    }
  }
  return {
    defaultSchema,
    difference: { removedTables, addedTables: added, changedTables },
    enumUses,
    enumTypesOfEntities,
    enumAppends: enumAppendsOf(synced, schemaOf, enumUses),
  };
}

/** The enum type TypeORM names for a column (`PostgresQueryRunner.buildEnumName`). */
function expectedEnumName(metadata: EntityMetadata, column: ColumnMetadata): string {
  return column.enumName ?? `${metadata.tableName}_${column.databaseName.toLowerCase()}_enum`;
}

function enumAppendsOf(synced: readonly EntityMetadata[], schemaOf: (metadata: EntityMetadata) => string, uses: readonly EnumUse[]): EnumAppend[] {
  const byType = new Map<string, { before: readonly string[]; added: readonly string[] | undefined }>();
  for (const metadata of synced) {
    for (const column of metadata.columns) {
      if ((column.type !== 'enum' && column.type !== 'simple-enum') || !column.enum) continue;
      const use = uses.find((candidate) => candidate.schema === schemaOf(metadata) && candidate.table === metadata.tableName && candidate.column === column.databaseName);
      if (!use || use.typeSchema !== schemaOf(metadata) || use.typeName !== expectedEnumName(metadata, column)) continue;
      const key = `${use.typeSchema}.${use.typeName}`;
      const added = appendedValues(use.labels, column.enum.map(String));
      const seen = byType.get(key);
      // Two columns of one type that disagree: TypeORM's own handling stays.
      if (seen && (seen.added === undefined || added === undefined || seen.added.join('\u0000') !== added.join('\u0000'))) {
        byType.set(key, { before: use.labels, added: undefined });
      } else {
        byType.set(key, { before: use.labels, added });
      }
    }
  }
  const appends: EnumAppend[] = [];
  for (const [key, { before, added }] of byType) {
    if (!added) continue;
    const columns = uses.filter((use) => `${use.typeSchema}.${use.typeName}` === key);
    appends.push({
      type: { schema: columns[0].typeSchema, name: columns[0].typeName },
      before,
      added,
      columns: columns.map((use) => ({
        table: `"${use.schema}"."${use.table}"`,
        column: use.column,
        isArray: use.isArray,
        ...(use.default !== undefined ? { default: use.default } : {}),
      })),
    });
  }
  return appends;
}

async function readEnumUses(queryRunner: QueryRunner, schemas: readonly string[]): Promise<EnumUse[]> {
  const rows: {
    schema: string;
    table: string;
    column: string;
    typeSchema: string;
    typeName: string;
    isArray: boolean;
    default: string | null;
    labels: string[];
  }[] = await queryRunner.query(
    `SELECT n.nspname AS "schema", c.relname AS "table", a.attname AS "column", tn.nspname AS "typeSchema",
            t.typname AS "typeName", (a.atttypid = t.typarray) AS "isArray", pg_get_expr(d.adbin, d.adrelid) AS "default",
            array(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS "labels"
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON (t.oid = a.atttypid OR t.typarray = a.atttypid) AND t.typtype = 'e'
       JOIN pg_namespace tn ON tn.oid = t.typnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND n.nspname = ANY($1::text[])
      ORDER BY 1, 2, a.attnum`,
    [schemas],
  );
  return rows.map((row) => ({
    schema: row.schema,
    table: row.table,
    column: row.column,
    typeSchema: row.typeSchema,
    typeName: row.typeName,
    isArray: row.isArray,
    ...(row.default !== null ? { default: row.default } : {}),
    labels: row.labels,
  }));
}

function metadataColumnShape(connected: DataSource, column: ColumnMetadata): ColumnShape {
  return { name: column.databaseName, type: typeKey(connected.driver.normalizeType(column), column.isArray, column.enum?.map(String)) };
}

function typeKey(type: string, isArray: boolean, values: readonly (string | number)[] | undefined): string {
  return `${type}${isArray ? '[]' : ''}${values ? `(${values.map(String).join(',')})` : ''}`;
}
