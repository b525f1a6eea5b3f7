#!/usr/bin/env node
/**
 * Runs every benchmark, one after the other (they would disturb each other's timings if run together), and
 * prints one table of medians, peak memory and ratios. Each benchmark is a script of this folder that prints
 * its own table and, as its last line, `BENCH_JSON {...}` (see lib/report.mjs).
 *
 *   npm run bench                      # everything, default sizes
 *   node bench/run.mjs --runs=1        # --runs=N goes to every benchmark
 *   node bench/run.mjs apply-revert    # only the named benchmarks
 *   node bench/run.mjs apply-revert:--n=100 status-history:--n=100   # a flag for one benchmark
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { serverVersion } from './lib/database.mjs';
import { JSON_PREFIX, formatSeconds, formatTable, parseReport, verdict } from './lib/report.mjs';
import { WORKSPACE_ROOT } from './lib/workload.mjs';

const BENCHMARKS = ['apply-revert', 'autogenerate', 'status-history', 'revision-graph', 'project-graph', 'check'];

const args = process.argv.slice(2);
const common = args.filter((arg) => /^--runs=\d+$/.test(arg));
const scoped = args.filter((arg) => arg.includes(':--')).map((arg) => arg.split(/:(?=--)/));
const named = args.filter((arg) => !arg.startsWith('--') && !arg.includes(':--'));
const stray = args.filter((arg) => arg.startsWith('--') && !common.includes(arg));
if (stray.length > 0) {
  console.error(`Unknown option ${stray[0]}; run.mjs takes --runs=N, benchmark names, and NAME:--flag=value.`);
  process.exit(1);
}
for (const name of [...named, ...scoped.map(([name]) => name)]) {
  if (!BENCHMARKS.includes(name)) {
    console.error(`Unknown benchmark ${name}; the benchmarks are ${BENCHMARKS.join(', ')}.`);
    process.exit(1);
  }
}
const selected = named.length > 0 ? named : BENCHMARKS;

function runBenchmark(name) {
  const file = join(WORKSPACE_ROOT, 'bench', `${name}.mjs`);
  return new Promise((resolve) => {
    const started = Date.now();
    const flags = [...common, ...scoped.filter(([scope]) => scope === name).map(([, flag]) => flag)];
    const child = spawn(process.execPath, [file, ...flags], {
      cwd: WORKSPACE_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      process.stdout.write(
        String(chunk)
          .split('\n')
          .filter((line) => !line.startsWith(JSON_PREFIX))
          .join('\n'),
      );
    });
    child.on('close', (code) => resolve({ code, report: parseReport(stdout), seconds: (Date.now() - started) / 1000 }));
  });
}

const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}, PostgreSQL ${await serverVersion()}`;
console.log(`machine: ${machine}\n`);

const outcomes = [];
for (const name of selected) {
  if (!existsSync(join(WORKSPACE_ROOT, 'bench', `${name}.mjs`))) {
    outcomes.push({ name, status: 'not written yet' });
    continue;
  }
  console.log(`== ${name}`);
  const { code, report, seconds } = await runBenchmark(name);
  console.log('');
  if (code !== 0 || !report) {
    outcomes.push({
      name,
      status: code !== 0 ? `FAILED (exit ${code}) after ${seconds.toFixed(0)} s` : 'printed no BENCH_JSON line',
    });
  } else {
    outcomes.push({ name, status: 'ok', report });
  }
}

const rows = [];
const ratioRows = [];
for (const outcome of outcomes) {
  if (outcome.status !== 'ok') {
    rows.push([outcome.name, outcome.status, '', '']);
    continue;
  }
  for (const row of outcome.report.rows) {
    rows.push([
      `${outcome.name}: ${row.what}`,
      formatSeconds(row.seconds),
      row.peakMb ? `${Math.round(row.peakMb)} MB` : '-',
      row.note ?? '',
    ]);
  }
  for (const r of outcome.report.ratios) {
    ratioRows.push([`${outcome.name}: ${r.what}`, r.value.toFixed(2), r.target, verdict(r)]);
  }
}
console.log(`== summary (${machine})`);
console.log(formatTable(['benchmark', 'median', 'peak memory', 'note'], rows));
if (ratioRows.length > 0) {
  console.log('');
  console.log(formatTable(['ratio', 'value', 'target', ''], ratioRows));
}
const failed = outcomes.filter((o) => o.status !== 'ok' && o.status !== 'not written yet');
process.exitCode = failed.length > 0 ? 1 : 0;
