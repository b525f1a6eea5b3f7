import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverAdminUrl } from './databases';

/**
 * A real PgBouncer in transaction mode in front of the test PostgreSQL server, as staging and production often
 * have it (Supabase's pooled port, a PgBouncer beside the database): every transaction of a client may run on
 * another server session, so a session-level advisory lock holds nothing.
 *
 * Debian's `pgbouncer` package (`/usr/sbin/pgbouncer`); `.ci/run` installs it. Missing, it fails the tests that need
 * it, never skips them. PgBouncer refuses to run as root; as root it is started with `-u postgres`.
 */
export interface Pooler {
  /** `postgres://USER@127.0.0.1:PORT/` with the database name to add. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const CANDIDATES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'];

export function pgbouncerBinary(): string {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found) return found;
  const which = spawnSync('sh', ['-c', 'command -v pgbouncer'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  throw new Error('PgBouncer is not installed (apt-get install -y pgbouncer); the pooler tests need it.');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

export async function startPgbouncer(): Promise<Pooler> {
  const binary = pgbouncerBinary();
  const upstream = new URL(serverAdminUrl());
  const user = decodeURIComponent(upstream.username || 'postgres');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ntm-pgbouncer-'));
  chmodSync(dir, 0o777);
  const userlist = join(dir, 'userlist.txt');
  writeFileSync(userlist, `"${user}" ""\n`, { mode: 0o644 });
  const ini = join(dir, 'pgbouncer.ini');
  const log = join(dir, 'pgbouncer.log');
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${upstream.hostname} port=${upstream.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${userlist}`,
      'pool_mode = transaction',
      'max_client_conn = 500',
      'default_pool_size = 20',
      'server_reset_query =',
      'ignore_startup_parameters = extra_float_digits,options',
      `logfile = ${log}`,
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = spawn(binary, [...(asRoot ? ['-u', 'postgres'] : []), ini], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const logged = existsSync(log) ? readFileSync(log, 'utf8') : '';
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`PgBouncer (${binary}) did not start on port ${port}:\n${output}${logged}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    urlFor(database) {
      const url = new URL(serverAdminUrl());
      url.port = String(port);
      url.pathname = `/${database}`;
      return url.toString();
    },
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.unref();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
