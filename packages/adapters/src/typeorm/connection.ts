import { hostname } from 'node:os';
import { relative } from 'node:path';
import { CodedError } from '../../../core/src/errors';

/**
 * Which database a command targets, decided in one place: `DATABASE_URL` wins over the data source's own settings
 * (its entities, schema and the rest are kept); with no database configured at all, the project's embedded
 * PostgreSQL. Pure: reading certificate files and starting the embedded database happen in `data-source.ts`.
 */

/** pg's `ssl` settings; certificate files are named here and read when connecting. */
export interface SslSettings {
  readonly rejectUnauthorized: boolean;
  /** `verify-ca`: the chain is checked, the host name is not. */
  readonly skipHostnameCheck?: boolean;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

/** Connection settings in the shape of TypeORM's PostgreSQL options. */
export interface ConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly database?: string;
  readonly ssl: SslSettings | false;
  readonly connectTimeoutMs?: number;
  /** libpq `options`, such as `-c search_path=app`. */
  readonly options?: string;
}

export type DatabaseSource =
  | { readonly kind: 'url'; readonly settings: ConnectionSettings; readonly url: string }
  | { readonly kind: 'data-source'; readonly file: string; readonly url: string; readonly host: string }
  | { readonly kind: 'embedded'; readonly dataDir: string };

/** `DATABASE_URL` cannot be used as written. */
export class DatabaseUrlError extends CodedError {
  readonly code = 'DATABASE_URL_INVALID';
  constructor(
    readonly redactedUrl: string,
    readonly problem: string,
  ) {
    super(`DATABASE_URL ${redactedUrl}: ${problem}`);
  }
}

/** The URL with its password replaced by `****`; anything that is not a URL is left as is. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*):[^@/?#]*@/i, '$1:****@');
}

const SSL_MODES: Record<string, SslSettings | false> = {
  disable: false,
  // pg cannot fall back from TLS to plain text as libpq does; `allow`/`prefer` connect without TLS.
  allow: false,
  prefer: false,
  // libpq's `require` encrypts without verifying the certificate (unless a root certificate is given).
  require: { rejectUnauthorized: false },
  'no-verify': { rejectUnauthorized: false },
  'verify-ca': { rejectUnauthorized: true, skipHostnameCheck: true },
  'verify-full': { rejectUnauthorized: true },
};

/** `sslmode` and friends as pg `ssl` settings, following libpq's meanings. */
export function sslSettingsOf(params: URLSearchParams, redactedUrl: string): SslSettings | false {
  const mode = params.get('sslmode') ?? (params.get('ssl') === 'true' || params.get('ssl') === '1' ? 'verify-full' : undefined);
  if (mode !== undefined && !(mode in SSL_MODES)) {
    throw new DatabaseUrlError(
      redactedUrl,
      `sslmode=${mode} is not one of ${Object.keys(SSL_MODES).join(', ')}.`,
    );
  }
  const caFile = params.get('sslrootcert') ?? undefined;
  const certFile = params.get('sslcert') ?? undefined;
  const keyFile = params.get('sslkey') ?? undefined;
  let ssl = mode === undefined ? false : SSL_MODES[mode];
  // libpq: with a root certificate file, `require` verifies like `verify-ca`.
  if (ssl && mode === 'require' && caFile) ssl = SSL_MODES['verify-ca'];
  if (!ssl) return false;
  return { ...ssl, ...(caFile && { caFile }), ...(certFile && { certFile }), ...(keyFile && { keyFile }) };
}

const UNDERSTOOD_PARAMETERS = new Set([
  'sslmode',
  'ssl',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'application_name',
  'connect_timeout',
  'options',
]);

/** A `postgres://` URL as connection settings. */
export function parseDatabaseUrl(url: string): ConnectionSettings {
  const redacted = redactUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseUrlError(redacted, 'is not a URL; write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE.');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseUrlError(
      redacted,
      `${parsed.protocol.replace(/:$/, '')} is not supported yet; PostgreSQL (postgres://...) is the only dialect for now.`,
    );
  }
  for (const key of parsed.searchParams.keys()) {
    if (!UNDERSTOOD_PARAMETERS.has(key)) {
      throw new DatabaseUrlError(
        redacted,
        `the parameter ${key} is not understood; use ${[...UNDERSTOOD_PARAMETERS].join(', ')}.`,
      );
    }
  }
  const timeout = parsed.searchParams.get('connect_timeout');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const options = parsed.searchParams.get('options') ?? undefined;
  return {
    host: decodeURIComponent(parsed.hostname.replace(/^\[|\]$/g, '')) || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 5432,
    ...(parsed.username && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password && { password: decodeURIComponent(parsed.password) }),
    ...(database && { database }),
    ssl: sslSettingsOf(parsed.searchParams, redacted),
    ...(timeout && { connectTimeoutMs: Number(timeout) * 1000 }),
    ...(options && { options }),
  };
}

/** What a data source file configures, as far as choosing a database goes. */
export interface DataSourceConnectionOptions {
  readonly type?: string;
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly username?: string;
  readonly database?: string;
}

export interface DatabaseResolutionInput {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dataSourceFile: string;
  readonly dataSourceOptions: DataSourceConnectionOptions;
  readonly workspaceRoot: string;
  readonly projectName: string;
}

/** The folder of a project's embedded database. */
export function embeddedDataDir(workspaceRoot: string, projectName: string): string {
  return `${workspaceRoot.replace(/[/\\]+$/, '')}/.nx-typeorm-migrations/${projectName}`;
}

export function resolveDatabase(input: DatabaseResolutionInput): DatabaseSource {
  const url = input.env['DATABASE_URL']?.trim();
  if (url) return { kind: 'url', url, settings: parseDatabaseUrl(url) };
  // `.env.staging` holding `DATABASE_URL=${STAGING_DATABASE_URL}` with the secret missing must not quietly fall
  // back to the local database while the user believes staging was migrated.
  if (url === '') {
    throw new DatabaseUrlError(
      '(empty)',
      'is set but empty (an .env file naming a variable that is not set?); set it to a postgres:// URL, or remove it to use the data source or the embedded database.',
    );
  }
  const options = input.dataSourceOptions;
  if (options.url || options.host || input.env['PGHOST']) {
    const url = urlOfOptions(options, input.env);
    const host = options.url ? hostOfUrl(options.url) : (options.host ?? input.env['PGHOST'] ?? 'localhost');
    return { kind: 'data-source', file: input.dataSourceFile, url, host };
  }
  return { kind: 'embedded', dataDir: embeddedDataDir(input.workspaceRoot, input.projectName) };
}

function hostOfUrl(url: string): string {
  try {
    return decodeURIComponent(new URL(url).hostname.replace(/^\[|\]$/g, '')) || 'localhost';
  } catch {
    return '';
  }
}

/** The data source's own connection written as a URL for messages (never with a password). */
function urlOfOptions(options: DataSourceConnectionOptions, env: DatabaseResolutionInput['env']): string {
  if (options.url) return redactUrl(options.url);
  const user = options.username ?? env['PGUSER'];
  const host = options.host ?? env['PGHOST'] ?? 'localhost';
  const port = options.port ?? (env['PGPORT'] ? Number(env['PGPORT']) : 5432);
  const database = options.database ?? env['PGDATABASE'] ?? '';
  return `postgres://${user ? `${user}@` : ''}${host}:${port}/${database}`;
}

/** The one line every command prints about its database, password as `****`. */
export function describeDatabase(source: DatabaseSource, workspaceRoot: string): string {
  switch (source.kind) {
    case 'url':
      return `Database: ${redactUrl(source.url)} (DATABASE_URL)`;
    case 'data-source':
      return `Database: ${redactUrl(source.url)} (data source ${displayPathOf(source.file, workspaceRoot)})`;
    case 'embedded':
      return `Database: embedded PostgreSQL in ${displayPathOf(source.dataDir, workspaceRoot)}`;
  }
}

function displayPathOf(path: string, root: string): string {
  const shown = relative(root, path);
  return shown && !shown.startsWith('..') ? shown : path;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|0:0:0:0:0:0:0:1|\/.*)$/i;

/** Whether the database lives on this machine (loopback, a Unix socket, or the embedded one). */
export function isLocalDatabase(source: DatabaseSource): boolean {
  if (source.kind === 'embedded') return true;
  const host = source.kind === 'url' ? source.settings.host : source.host;
  return LOOPBACK.test(host) || host === hostname();
}

/** `application_name` of our sessions: how the lock names its holder. */
export function applicationName(pid: number = process.pid, host: string = hostname()): string {
  return `nx-typeorm-migrations ${pid}@${host}`.slice(0, 63);
}
