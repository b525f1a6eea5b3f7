import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrationFileName, renderMigrationFile, type MigrationFileSpec } from '../../../core/src/migration-file';
import { snapshotCatalog, type CatalogSnapshot } from '../catalog';
import { serverAdminUrl } from '../databases';
import { linkNodeModules } from '../typeorm-legacy-project';

/**
 * Throw-away projects for the fault tests: a TypeORM data source reading `DATABASE_URL`, and migration files in
 * the format of docs/ARCHITECTURE.md rendered by core's own renderer. The project's `node_modules` is the
 * workspace's, so the data source finds `typeorm` as a user's project would, in the line under test (`NTM_TYPEORM_LINE`).
 */
export const DATA_SOURCE = `import { DataSource } from 'typeorm';

export default new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
`;

export type MigrationSpec = Omit<MigrationFileSpec, 'createDate'>;

export interface FaultProject {
  readonly root: string;
  readonly versionsDir: string;
  /** Path of the file holding `revision`. */
  fileOf(revision: string): string;
  /** Writes (or overwrites) a file relative to the project root. */
  write(relativePath: string, text: string): string;
  remove(): void;
}

export function writeFaultProject(
  migrations: readonly MigrationSpec[],
  dataSource: string = DATA_SOURCE,
): FaultProject {
  const root = mkdtempSync(join(tmpdir(), 'ntm-fault-'));
  linkNodeModules(root);
  const versionsDir = join(root, 'migrations', 'versions');
  mkdirSync(versionsDir, { recursive: true });
  writeFileSync(join(root, 'data-source.ts'), dataSource);
  const files = new Map<string, string>();
  migrations.forEach((spec, index) => {
    const file = join(versionsDir, migrationFileName(spec.revision, spec.message));
    files.set(spec.revision, file);
    writeFileSync(file, renderMigrationFile({ ...spec, createDate: new Date(Date.UTC(2026, 10, 25, 10, 0, index)) }));
  });
  return {
    root,
    versionsDir,
    fileOf(revision) {
      const file = files.get(revision);
      if (!file) throw new Error(`The fault project has no revision ${revision}.`);
      return file;
    },
    write(relativePath, text) {
      const file = join(root, relativePath);
      writeFileSync(file, text);
      return file;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Revision id of the `i`-th migration of a chain: 12 hex characters, stable, spread like random ids. */
export function chainRevision(i: number, seed = 'chain'): string {
  return createHash('sha256').update(`${seed} ${i}`).digest('hex').slice(0, 12);
}

/**
 * A linear chain of `count` migrations. Migration `i` creates `f_i` with an index and a row, and adds a column to
 * `f_(i-1)`, so every revision has a schema of its own and a half-applied migration shows in the catalog.
 */
export function chainMigrations(count: number, seed = 'chain'): MigrationSpec[] {
  return Array.from({ length: count }, (_, index) => {
    const i = index + 1;
    const up = [
      `CREATE TABLE f_${i} (id serial PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now())`,
      `CREATE INDEX f_${i}_name_idx ON f_${i} (name)`,
      `INSERT INTO f_${i} (name) VALUES ('row ${i}')`,
      ...(i > 1 ? [`ALTER TABLE f_${i - 1} ADD COLUMN next_${i} integer`] : []),
    ];
    const down = [...(i > 1 ? [`ALTER TABLE f_${i - 1} DROP COLUMN next_${i}`] : []), `DROP TABLE f_${i}`];
    return {
      revision: chainRevision(i, seed),
      downRevisions: i === 1 ? [] : [chainRevision(i - 1, seed)],
      message: `Create f_${i}`,
      up,
      down,
    };
  });
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Applies the `up` statements of `migrations` directly, in order: the reference a tool's result is compared to. */
export async function applyDirectly(url: string, migrations: readonly MigrationSpec[]): Promise<void> {
  await withClient(url, async (client) => {
    for (const migration of migrations) {
      for (const statement of migration.up)
        await client.query(typeof statement === 'string' ? statement : statement.sql);
    }
  });
}

/**
 * Catalog snapshots of a chain's schema after 0, 1, ..., N migrations, taken on a scratch database by applying the
 * SQL directly: what a database recorded at revision `i` must look like.
 */
export async function referenceSnapshots(
  url: string,
  migrations: readonly MigrationSpec[],
): Promise<CatalogSnapshot[]> {
  const snapshots = [await snapshotCatalog(url)];
  for (const migration of migrations) {
    await applyDirectly(url, [migration]);
    snapshots.push(await snapshotCatalog(url));
  }
  return snapshots;
}

/** The rows of the version table (sorted), or `undefined` when it does not exist. */
export async function versionRows(url: string): Promise<string[] | undefined> {
  return withClient(url, async (client) => {
    const exists = await client.query(`SELECT to_regclass('public.nx_migrations_version') IS NOT NULL AS present`);
    if (!exists.rows[0].present) return undefined;
    const { rows } = await client.query('SELECT revision FROM nx_migrations_version ORDER BY revision');
    return rows.map((row) => row.revision as string);
  });
}

/** Everything a run could change: the user's schema, and the plugin's version and history rows. */
export interface DatabaseState {
  readonly catalog: CatalogSnapshot;
  readonly versions: string[] | undefined;
  readonly history: unknown[] | undefined;
}

export async function databaseState(url: string): Promise<DatabaseState> {
  const catalog = await snapshotCatalog(url);
  const versions = await versionRows(url);
  const history = await withClient(url, async (client) => {
    const exists = await client.query(`SELECT to_regclass('public.nx_migrations_history') IS NOT NULL AS present`);
    if (!exists.rows[0].present) return undefined;
    return (await client.query('SELECT * FROM nx_migrations_history ORDER BY 1')).rows;
  });
  return { catalog, versions, history };
}

/** Waits until no session other than the caller's is connected to the database (a killed client's backend ends). */
export async function waitForOtherSessionsToEnd(url: string, timeoutMs = 20_000): Promise<void> {
  await withClient(url, async (client) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      if (rows[0].n === 0) return;
      if (Date.now() > deadline) throw new Error(`Sessions of a killed process were still open after ${timeoutMs} ms.`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
}

/**
 * A fresh database on the PostgreSQL server, optionally a copy of `template` (`CREATE DATABASE ... TEMPLATE`, a
 * file copy: far cheaper than replaying migrations for each of dozens of cases).
 */
export async function createServerDatabase(
  template?: string,
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `ntm_fault_${randomBytes(5).toString('hex')}`;
  await withClient(serverAdminUrl(), (admin) =>
    admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`),
  );
  const url = new URL(serverAdminUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withClient(serverAdminUrl(), (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/** `url` with `password` set, for checking that no output ever shows it. */
export function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}
