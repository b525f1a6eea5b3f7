import { readFileSync } from 'node:fs';
import type { DataSource, DataSourceOptions, QueryRunner } from 'typeorm';
import type { EmbeddedPostgres } from '../embedded/embedded-postgres';
import { ImportNotFoundError, ModuleLoadError, firstLineOf } from '../typescript/load-errors';
import { loadUserModuleAsync } from '../typescript/esm-loader';
import { TypeScriptSyntaxError, withTranspileCache } from '../typescript/typescript-loader';
import {
  applicationName,
  describeDatabase,
  parseDatabaseUrl,
  resolveDatabase,
  type ConnectionSettings,
  type DatabaseSource,
  type SslSettings,
} from './connection';
import { acquireFolderLock, type FolderLock } from './lock';
import { oneQueryAtATime } from './one-query-at-a-time';
import { CodedError } from '../../../core/src/errors';

/**
 * The user's TypeORM DataSource, found as TypeORM's CLI finds it (default export, or the single exported
 * DataSource, possibly a Promise), and a working copy of it that targets the database `connection.ts` chose. The
 * classes come from the user's own `typeorm` (the instance's constructor): this package never imports `typeorm`.
 */

/** The data source file cannot be used; the message names the file. */
export class DataSourceFileError extends CodedError {
  readonly code = 'DATA_SOURCE_INVALID';
  constructor(
    readonly file: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problem}`, options);
  }
}

/** The database did not accept a connection. `reason` is pg's SQLSTATE or Node's errno (`ECONNREFUSED`). */
export class DatabaseConnectionError extends CodedError {
  readonly code = 'DATABASE_UNREACHABLE';
  constructor(
    /** The `Database: ...` line, password as `****`. */
    readonly description: string,
    readonly reason: string | undefined,
    readonly detail: string,
    readonly user: string | undefined,
    readonly database: string | undefined,
  ) {
    super(`${description}: ${detail}`);
  }
}

/** The database accepts one connection at a time (PGlite) or is full, and stayed so for the whole lock timeout. */
export class DatabaseBusyError extends CodedError {
  readonly code = 'DATABASE_BUSY';
  constructor(
    readonly description: string,
    readonly waitedMs: number,
  ) {
    super(`${description} stayed busy for ${Math.round(waitedMs / 1000)} s`);
  }
}

function isDataSource(value: unknown): value is DataSource {
  if (!value || typeof value !== 'object') return false;
  const candidate = value as Record<string | symbol, unknown>;
  return (
    candidate['@instanceof'] === Symbol.for('DataSource') ||
    (typeof candidate['initialize'] === 'function' &&
      typeof candidate['createQueryRunner'] === 'function' &&
      typeof candidate['options'] === 'object')
  );
}

/** Runs the data source file and returns the DataSource it exports, without connecting it. */
export function loadDataSource(file: string): Promise<DataSource> {
  // The data source and the entities it imports: from the transpile cache of this data source when unchanged.
  return withTranspileCache(file, () => loadDataSourceFrom(file));
}

async function loadDataSourceFrom(file: string): Promise<DataSource> {
  let exports: Record<string, unknown>;
  try {
    exports = await loadUserModuleAsync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && (error as NodeJS.ErrnoException).path === file) {
      throw new DataSourceFileError(file, 'does not exist; pass the data source file of the project (--data-source).');
    }
    if (error instanceof TypeScriptSyntaxError || error instanceof ImportNotFoundError) throw error;
    // A file the data source imports: the error names that file.
    if (error instanceof ModuleLoadError && error.file !== file) throw error;
    const cause = error instanceof ModuleLoadError ? error.cause : error;
    throw new DataSourceFileError(file, `failed while loading: ${firstLineOf(cause)}; fix it (or what it imports) and run again.`, {
      cause,
    });
  }
  const defaultExport = await exports['default'];
  if (isDataSource(defaultExport)) return defaultExport;
  const found: DataSource[] = [];
  for (const [name, value] of Object.entries(exports)) {
    if (name === 'default') continue;
    const awaited = await value;
    if (isDataSource(awaited) && !found.includes(awaited)) found.push(awaited);
  }
  if (found.length === 1) return found[0];
  throw new DataSourceFileError(
    file,
    found.length === 0
      ? 'exports no TypeORM DataSource; export one as the default export (export default new DataSource({...})).'
      : `exports ${found.length} DataSources; export exactly one, or make the one to migrate the default export.`,
  );
}

export interface DatabaseTarget {
  readonly source: DatabaseSource;
  /** `Database: ...`, password as `****`. */
  readonly description: string;
}

export interface TargetInput {
  readonly dataSource: DataSource;
  readonly dataSourceFile: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly workspaceRoot: string;
  readonly projectName: string;
}

/** Which database the command targets (nothing is contacted yet). */
export function chooseDatabase(input: TargetInput): DatabaseTarget {
  const options = input.dataSource.options as DataSourceOptions & Record<string, unknown>;
  if (options.type !== 'postgres') {
    throw new DataSourceFileError(
      input.dataSourceFile,
      `uses the ${String(options.type)} driver; PostgreSQL is the only dialect supported for now.`,
    );
  }
  const source = resolveDatabase({
    env: input.env,
    dataSourceFile: input.dataSourceFile,
    dataSourceOptions: options as Parameters<typeof resolveDatabase>[0]['dataSourceOptions'],
    workspaceRoot: input.workspaceRoot,
    projectName: input.projectName,
  });
  return { source, description: describeDatabase(source, input.workspaceRoot) };
}

/** A live session on the target database: one connection, held for the whole command. */
export interface OpenDatabase {
  readonly target: DatabaseTarget;
  readonly dataSource: DataSource;
  readonly queryRunner: QueryRunner;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** How long to wait for a busy database (PGlite serves one connection at a time) or embedded folder. */
  readonly timeoutMs: number;
}

/**
 * Connects to the target. With no database configured, starts the project's embedded PostgreSQL first, holding its
 * folder's lock file (PGlite allows one process per folder).
 */
export async function openDatabase(input: TargetInput, target: DatabaseTarget, options: OpenOptions): Promise<OpenDatabase> {
  const started = Date.now();
  let folderLock: FolderLock | undefined;
  let embedded: EmbeddedPostgres | undefined;
  let settings: ConnectionSettings | undefined;
  const { source } = target;
  if (source.kind === 'embedded') {
    folderLock = await acquireFolderLock(`${source.dataDir}.lock`, options.timeoutMs);
    try {
      // Loaded here: PGlite's modules cost a server database's every command about 25 ms.
      const { startEmbeddedPostgres } = await import('../embedded/embedded-postgres');
      embedded = await startEmbeddedPostgres({ dataDir: source.dataDir });
    } catch (error) {
      await folderLock.release();
      throw error;
    }
    settings = parseDatabaseUrl(embedded.url);
  } else if (source.kind === 'url') {
    settings = source.settings;
  }
  const stopEmbedded = async () => {
    await embedded?.stop();
    await folderLock?.release();
  };
  const dataSource = workingCopy(input.dataSource, settings);
  try {
    for (;;) {
      try {
        await dataSource.initialize();
        break;
      } catch (error) {
        if (dataSource.isInitialized) await dataSource.destroy();
        else await (dataSource.driver as unknown as { disconnect(): Promise<void> }).disconnect().catch(() => undefined);
        if (!isBusy(error)) throw asConnectionError(error, target, settings, input);
        const waited = Date.now() - started;
        if (waited >= options.timeoutMs) throw new DatabaseBusyError(target.description, waited);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stopEmbedded();
    throw error;
  }
  const queryRunner = dataSource.createQueryRunner();
  try {
    await queryRunner.connect();
  } catch (error) {
    await dataSource.destroy();
    await stopEmbedded();
    throw asConnectionError(error, target, settings, input);
  }
  let closed = false;
  return {
    target,
    dataSource,
    queryRunner,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await queryRunner.release();
        await dataSource.destroy();
      } finally {
        await stopEmbedded();
      }
    },
  };
}

/**
 * The user's DataSource as an unconnected copy: for `--sql --from=REV`, which prints SQL without any database. Its
 * query runners must have their `query` replaced before use.
 */
export function offlineDataSource(dataSource: DataSource): DataSource {
  return workingCopy(dataSource, { host: '127.0.0.1', port: 5432, ssl: false });
}

/**
 * The user's DataSource, kept whole (entities, schema, naming strategy...) but pointed at `settings` when given, on
 * one connection, named for the lock, and never synchronizing, dropping, running TypeORM's own migrations or
 * logging queries to our stdout.
 */
function workingCopy(dataSource: DataSource, settings: ConnectionSettings | undefined): DataSource {
  const original = dataSource.options as DataSourceOptions & Record<string, unknown>;
  const extra: Record<string, unknown> = { ...((original['extra'] as Record<string, unknown> | undefined) ?? {}), max: 1 };
  const options: Record<string, unknown> = {
    ...original,
    synchronize: false,
    migrationsRun: false,
    dropSchema: false,
    migrations: [],
    logging: false,
    poolSize: 1,
    applicationName: applicationName(),
    extra,
  };
  if (settings) {
    Object.assign(options, {
      url: undefined,
      replication: undefined,
      host: settings.host,
      port: settings.port,
      username: settings.username,
      password: settings.password,
      database: settings.database,
      ssl: settings.ssl ? tlsOptionsOf(settings.ssl) : false,
    });
    if (settings.connectTimeoutMs !== undefined) options['connectTimeoutMS'] = settings.connectTimeoutMs;
    if (settings.options !== undefined) extra['options'] = settings.options;
  }
  const DataSourceClass = dataSource.constructor as new (options: DataSourceOptions) => DataSource;
  return oneQueryAtATime(new DataSourceClass(options as unknown as DataSourceOptions));
}

function tlsOptionsOf(ssl: SslSettings): Record<string, unknown> {
  return {
    rejectUnauthorized: ssl.rejectUnauthorized,
    ...(ssl.skipHostnameCheck && { checkServerIdentity: () => undefined }),
    ...(ssl.caFile && { ca: readFileSync(ssl.caFile, 'utf8') }),
    ...(ssl.certFile && { cert: readFileSync(ssl.certFile, 'utf8') }),
    ...(ssl.keyFile && { key: readFileSync(ssl.keyFile, 'utf8') }),
  };
}

/** PGlite closes a second connection at once; a full server answers 53300; a starting one 57P03. */
function isBusy(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === '53300' || code === '57P03' || message === 'Connection terminated unexpectedly';
}

const CONNECTION_CODES = /^(E[A-Z]+|08\w{3}|28\w{3}|3D000|53300|57P0\d)$/;

function asConnectionError(
  error: unknown,
  target: DatabaseTarget,
  settings: ConnectionSettings | undefined,
  input: TargetInput,
): Error {
  const { code, message } = error as { code?: string; message?: string };
  const timedOut = /timeout/i.test(message ?? '');
  if (!(code && CONNECTION_CODES.test(code)) && !timedOut) {
    return new DataSourceFileError(
      input.dataSourceFile,
      `TypeORM could not start this data source: ${firstLine(String(message ?? error))}`,
      { cause: error },
    );
  }
  const options = input.dataSource.options as { username?: string; database?: string };
  return new DatabaseConnectionError(
    target.description,
    code ?? (timedOut ? 'ETIMEDOUT' : undefined),
    firstLine(String(message ?? error)),
    settings?.username ?? options.username,
    settings?.database ?? options.database,
  );
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}
