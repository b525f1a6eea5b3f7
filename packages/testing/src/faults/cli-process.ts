import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

/**
 * The CLI as a user runs it: a real process (`node -r @swc-node/register packages/cli/src/main.ts VERB ...`),
 * so that fault tests see exit codes, stdout, stderr and kill -9 exactly as a shell would.
 */
export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
const CLI_ENTRY = join(WORKSPACE_ROOT, 'packages/cli/src/main.ts');
const REGISTER = join(WORKSPACE_ROOT, 'node_modules/@swc-node/register');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, for checks on everything the user saw. */
  readonly output: string;
}

export interface CliOptions {
  /** Replaces `DATABASE_URL`; `null` removes it from the environment. */
  readonly databaseUrl?: string | null;
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** Everything printed so far on stdout. */
  stdout(): string;
  readonly done: Promise<CliResult>;
}

export function startCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env['DATABASE_URL'];
  if (options.databaseUrl) env['DATABASE_URL'] = options.databaseUrl;
  const child = spawn(process.execPath, ['-r', REGISTER, CLI_ENTRY, ...args], {
    cwd: WORKSPACE_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk;
    output += chunk;
  });
  const timeoutMs = options.timeoutMs ?? 90_000;
  const done = new Promise<CliResult>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nx-typeorm-migrations ${args.join(' ')} did not end within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, output });
    });
  });
  return { child, stdout: () => stdout, done };
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** Runs `work` over `items` with at most `limit` at a time (spawning is CPU-bound on a 2-core machine). */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index]!, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Lines that look like a JavaScript stack frame: what a user must never see without `--verbose`. */
export function stackFrames(output: string): string[] {
  return output.split('\n').filter((line) => /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/.test(line));
}
