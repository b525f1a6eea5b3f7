import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * A private PostgreSQL cluster that demands a password (scram-sha-256), for the wrong-password case: the shared
 * test server trusts every local connection, so a wrong password could never fail there. It uses the server
 * binaries already installed for the test server (`initdb`, `pg_ctl`), runs as `postgres` when the tests run as
 * root (PostgreSQL refuses root), listens on a free loopback port, and is gone after `stop()`.
 */
export interface PasswordServer {
  /** `postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres` */
  readonly url: string;
  readonly password: string;
  stop(): void;
}

export const SERVER_PASSWORD = 'S3cret-pass_for-fault-tests';

function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((version) => join(root, version, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  if (found) return found;
  const onPath = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (onPath.status === 0) return onPath.stdout.trim();
  throw new Error('No PostgreSQL server binaries (initdb, pg_ctl) found: install the PostgreSQL server package.');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPasswordServer(): Promise<PasswordServer> {
  const bin = postgresBinDir();
  const asRoot = userInfo().uid === 0;
  const folder = mkdtempSync(join(tmpdir(), 'ntm-password-server-'));
  const dataDir = join(folder, 'data');
  const passwordFile = join(folder, 'password');
  writeFileSync(passwordFile, `${SERVER_PASSWORD}\n`);
  chmodSync(folder, 0o755);
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(folder, uid, gid);
    chownSync(passwordFile, uid, gid);
  }
  const run = (program: string, args: string[]) => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]]
      : [join(bin, program), args];
    execFileSync(file, argv, { stdio: 'pipe' });
  };
  const port = await freePort();
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '-N']);
  run('pg_ctl', [
    '-D',
    dataDir,
    '-w',
    '-l',
    join(folder, 'log'),
    '-o',
    `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=20`,
    'start',
  ]);
  return {
    url: `postgres://postgres:${SERVER_PASSWORD}@127.0.0.1:${port}/postgres`,
    password: SERVER_PASSWORD,
    stop() {
      try {
        run('pg_ctl', ['-D', dataDir, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  };
}
