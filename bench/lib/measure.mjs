import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs one process to its end and measures what a user waits for: whole-process wall time, and the peak
 * resident memory of the process and its children. GNU time (`/usr/bin/time`) gives the peak when installed;
 * without it the process tree is polled through /proc, so the benchmarks need nothing beyond Node and Linux.
 */
const GNU_TIME = '/usr/bin/time';

export async function measure(command, args, { cwd, env = process.env, timeoutSeconds = 3600 } = {}) {
  const useGnuTime = existsSync(GNU_TIME);
  const scratch = mkdtempSync(join(tmpdir(), 'ntm-measure-'));
  const rssFile = join(scratch, 'rss');
  const [file, argv] = useGnuTime ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, args];
  const started = process.hrtime.bigint();
  const child = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let polledPeakKb = 0;
  const poller = useGnuTime
    ? undefined
    : setInterval(() => (polledPeakKb = Math.max(polledPeakKb, treeRssKb(child.pid))), 20);
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutSeconds * 1000);
  const exitCode = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? `signal ${signal}`));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearTimeout(killer);
  if (poller) clearInterval(poller);
  const peakKb = useGnuTime ? readGnuTimePeak(rssFile) : polledPeakKb;
  rmSync(scratch, { recursive: true, force: true });
  return { seconds, peakMb: peakKb / 1024, exitCode, stdout, stderr };
}

/** Like `measure`, but a non-zero exit is a failed benchmark: it throws with the process's own output. */
export async function measureOk(label, command, args, options) {
  const result = await measure(command, args, options);
  if (result.exitCode !== 0) {
    throw new Error(
      `${label} failed (exit ${result.exitCode}): ${command} ${args.join(' ')}\n${lastLines(result.stderr || result.stdout)}`,
    );
  }
  return result;
}

function lastLines(text, count = 15) {
  return text.trim().split('\n').slice(-count).join('\n');
}

function readGnuTimePeak(file) {
  // GNU time writes "Command exited with non-zero status N" before the figure when the command fails.
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  return Number(lines[lines.length - 1]) || 0;
}

/** Sum of VmRSS over `pid` and its descendants: the memory the user's machine holds for the command. */
function treeRssKb(rootPid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(Number(entry));
    } catch {
      // the process ended between readdir and read
    }
  }
  let total = 0;
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop();
    try {
      const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) total += Number(match[1]);
    } catch {
      // ended meanwhile
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}
