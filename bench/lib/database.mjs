import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Fresh databases on the PostgreSQL server for the benchmarks (`BENCH_DATABASE_URL`, else `TEST_DATABASE_URL`,
 * else the local server as trust user `postgres`), so every measured run starts from the same empty state.
 */
export function serverAdminUrl() {
  return (
    process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  );
}

export async function withAdmin(work) {
  const client = new pg.Client({ connectionString: serverAdminUrl() });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `The PostgreSQL server at ${redact(serverAdminUrl())} is not answering (${error.message}); start it ` +
        '(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set BENCH_DATABASE_URL.',
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database and returns its URL and a `drop()`. */
export async function createDatabase() {
  const name = `ntm_bench_${randomBytes(5).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverAdminUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

/** Runs `work` with a client connected to `url`. */
export async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Number of user tables named `t_<i>` in the public schema: what a benchmark run must leave behind. */
export async function countWorkloadTables(url) {
  return withClient(url, async (client) => {
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t_[0-9]+$'`,
    );
    return rows[0].n;
  });
}

/** Rows of our version table (0 when it does not exist). */
export async function countVersionRows(url) {
  return withClient(url, async (client) => {
    const exists = await client.query(`SELECT to_regclass('public.nx_migrations_version') IS NOT NULL AS present`);
    if (!exists.rows[0].present) return 0;
    return (await client.query('SELECT count(*)::int AS n FROM nx_migrations_version')).rows[0].n;
  });
}

export async function serverVersion() {
  return withAdmin(async (admin) => (await admin.query('SHOW server_version')).rows[0].server_version);
}

export function redact(url) {
  return url.replace(/:\/\/([^:/@]+):[^@]*@/, '://$1:****@');
}
