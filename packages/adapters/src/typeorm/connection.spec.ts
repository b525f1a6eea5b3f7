import { hostname } from 'node:os';
import {
  applicationName,
  DatabaseUrlError,
  describeDatabase,
  isLocalDatabase,
  parseDatabaseUrl,
  redactUrl,
  resolveDatabase,
} from './connection';

describe('redactUrl', () => {
  it.each([
    ['postgres://app:s3cret@db.example.com:5432/app', 'postgres://app:****@db.example.com:5432/app'],
    ['postgresql://app:p%40ss:word@host/db?sslmode=require', 'postgresql://app:****@host/db?sslmode=require'],
    ['postgres://app@host/db', 'postgres://app@host/db'],
    ['postgres://host/db', 'postgres://host/db'],
  ])('%s -> %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});

describe('parseDatabaseUrl', () => {
  it('reads user, password, host, port and database, decoding escapes', () => {
    expect(parseDatabaseUrl('postgres://app:p%40ss@db.example.com:6543/my%20db')).toEqual({
      host: 'db.example.com',
      port: 6543,
      username: 'app',
      password: 'p@ss',
      database: 'my db',
      ssl: false,
    });
  });

  it.each([
    ['disable', false],
    ['prefer', false],
    ['require', { rejectUnauthorized: false }],
    ['no-verify', { rejectUnauthorized: false }],
    ['verify-ca', { rejectUnauthorized: true, skipHostnameCheck: true }],
    ['verify-full', { rejectUnauthorized: true }],
  ])('maps sslmode=%s to pg ssl settings', (mode, ssl) => {
    expect(parseDatabaseUrl(`postgres://h/db?sslmode=${mode}`).ssl).toEqual(ssl);
  });

  it('verifies the chain when require comes with a root certificate, as libpq does', () => {
    expect(parseDatabaseUrl('postgres://h/db?sslmode=require&sslrootcert=/etc/ca.pem').ssl).toEqual({
      rejectUnauthorized: true,
      skipHostnameCheck: true,
      caFile: '/etc/ca.pem',
    });
  });

  it('keeps the connect timeout and libpq options', () => {
    const settings = parseDatabaseUrl('postgres://h/db?connect_timeout=5&options=-c%20search_path%3Dapp');
    expect(settings.connectTimeoutMs).toBe(5000);
    expect(settings.options).toBe('-c search_path=app');
  });

  it.each([
    ['postgres://u:secret@h/db?sslmode=sometimes', /sslmode=sometimes is not one of/],
    ['mysql://u:secret@h/db', /mysql is not supported yet/],
    ['postgres://u:secret@h/db?pool=3', /parameter pool is not understood/],
    ['not a url with secret', /is not a URL/],
  ])('refuses %s with a message that never shows the password', (url, problem) => {
    let caught: unknown;
    try {
      parseDatabaseUrl(url);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DatabaseUrlError);
    expect((caught as Error).message).toMatch(problem);
    if (url.includes('://')) expect((caught as Error).message).not.toContain('secret');
  });
});

describe('resolveDatabase', () => {
  const base = {
    dataSourceFile: '/ws/apps/backend/src/data-source.ts',
    workspaceRoot: '/ws',
    projectName: 'backend',
  };

  it('lets DATABASE_URL win over the data source settings', () => {
    const source = resolveDatabase({
      ...base,
      env: { DATABASE_URL: 'postgres://app:pw@db.example.com:5432/app' },
      dataSourceOptions: { type: 'postgres', host: 'localhost' },
    });
    expect(source.kind).toBe('url');
    expect(describeDatabase(source, '/ws')).toBe('Database: postgres://app:****@db.example.com:5432/app (DATABASE_URL)');
    expect(isLocalDatabase(source)).toBe(false);
  });

  it('refuses an empty DATABASE_URL instead of falling back to another database', () => {
    for (const empty of ['', '   ']) {
      expect(() =>
        resolveDatabase({ ...base, env: { DATABASE_URL: empty }, dataSourceOptions: { type: 'postgres', host: 'localhost' } }),
      ).toThrow('DATABASE_URL (empty): is set but empty');
    }
  });

  it("uses the data source's own host when there is no DATABASE_URL", () => {
    const source = resolveDatabase({
      ...base,
      env: {},
      dataSourceOptions: { type: 'postgres', host: '127.0.0.1', port: 5433, username: 'app', database: 'app' },
    });
    expect(describeDatabase(source, '/ws')).toBe(
      'Database: postgres://app@127.0.0.1:5433/app (data source apps/backend/src/data-source.ts)',
    );
    expect(isLocalDatabase(source)).toBe(true);
  });

  it("redacts a password in the data source's own url", () => {
    const source = resolveDatabase({ ...base, env: {}, dataSourceOptions: { type: 'postgres', url: 'postgres://a:b@h/d' } });
    expect(describeDatabase(source, '/ws')).toBe('Database: postgres://a:****@h/d (data source apps/backend/src/data-source.ts)');
  });

  it('uses the embedded database in the workspace when nothing is configured', () => {
    const source = resolveDatabase({ ...base, env: {}, dataSourceOptions: { type: 'postgres' } });
    expect(source).toEqual({ kind: 'embedded', dataDir: '/ws/.nx-typeorm-migrations/backend' });
    expect(describeDatabase(source, '/ws')).toBe('Database: embedded PostgreSQL in .nx-typeorm-migrations/backend');
    expect(isLocalDatabase(source)).toBe(true);
  });

  it('counts loopback addresses and this host as local', () => {
    for (const host of ['localhost', '127.0.0.1', '[::1]', hostname()]) {
      const source = resolveDatabase({ ...base, env: { DATABASE_URL: `postgres://${host}/db` }, dataSourceOptions: {} });
      expect(isLocalDatabase(source)).toBe(true);
    }
  });
});

it('names our sessions after the process, so a lock holder can be told apart', () => {
  expect(applicationName(123, 'build-7')).toBe('nx-typeorm-migrations 123@build-7');
});
