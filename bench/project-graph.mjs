#!/usr/bin/env node
// What the plugin adds to Nx's project-graph creation: a 500-project workspace (half of the projects hold a
// data source, each project has a few source files), graph created cold (`nx reset`, no daemon) without any
// plugin, with an installed plugin that infers nothing (what Nx charges for any plugin: a worker process, the
// matching files sent to it) and with ours; runs alternated, medians compared. Target: ours under 10% over no plugin.
// The two plugins are timed again with Nx's plugin isolation off (NX_ISOLATE_PLUGINS=false: plugins load in Nx's
// own process, no worker), which separates what Nx charges for isolating any plugin from what the plugin's work costs.
//
//   node bench/project-graph.mjs [--projects=500] [--runs=5] [--no-build]
//
// Uses the built plugin (`dist/`, built here first unless --no-build), installed the way a user's workspace
// has it: JavaScript in node_modules.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printReport, ratio, summarize } from './lib/report.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argument = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const PROJECTS = argument('projects', 500);
const RUNS = argument('runs', 5);
const TARGET_OVERHEAD = 10;

if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, [join(root, 'tools/build.mjs'), '--no-pack'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

const workspace = mkdtempSync(join(tmpdir(), 'ntm-bench-graph-'));
const write = (file, text) => {
  mkdirSync(dirname(join(workspace, file)), { recursive: true });
  writeFileSync(join(workspace, file), text);
};

function createWorkspace() {
  mkdirSync(join(workspace, 'node_modules'));
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry === '.bin' || entry === '.cache') continue;
    symlinkSync(join(root, 'node_modules', entry), join(workspace, 'node_modules', entry));
  }
  symlinkSync(join(root, 'dist'), join(workspace, 'node_modules', 'nx-typeorm-migrations'));
  write('package.json', JSON.stringify({ name: 'bench', private: true, devDependencies: { nx: '*', 'nx-typeorm-migrations': '*' } }));
  write('.gitignore', 'node_modules\n.nx\n');
  for (let i = 0; i < PROJECTS; i++) {
    const folder = `libs/lib${i}`;
    write(`${folder}/project.json`, JSON.stringify({ name: `lib${i}`, targets: { build: { command: 'echo build' } } }));
    write(`${folder}/src/index.ts`, `export * from './lib';\n`);
    write(`${folder}/src/lib.ts`, `export const value${i} = ${i};\n`);
    write(`${folder}/src/lib.spec.ts`, `import { value${i} } from './lib';\ntest('v', () => expect(value${i}).toBe(${i}));\n`);
    if (i % 2 === 0) {
      write(`${folder}/src/data-source.ts`, "import { DataSource } from 'typeorm';\nexport default new DataSource({ type: 'postgres' });\n");
      write(`${folder}/src/entities/item.entity.ts`, "import { Entity } from 'typeorm';\n@Entity() export class Item {}\n");
      write(`${folder}/migrations/versions/.gitkeep`, '');
    }
  }
  write('node_modules/infers-nothing/package.json', JSON.stringify({ name: 'infers-nothing', version: '1.0.0', main: 'index.js' }));
  write(
    'node_modules/infers-nothing/index.js',
    "const pair = ['**/data-source.ts', () => []];\nexports.createNodes = pair;\nexports.createNodesV2 = pair;\n",
  );
  execFileSync('git', ['init', '-q'], { cwd: workspace });
}

const PLUGINS = {
  none: [],
  nothing: ['infers-nothing'],
  ours: [{ plugin: 'nx-typeorm-migrations', options: {} }],
  'none-in-process': [],
  'nothing-in-process': ['infers-nothing'],
  'ours-in-process': [{ plugin: 'nx-typeorm-migrations', options: {} }],
};

function setPlugins(variant) {
  write('nx.json', JSON.stringify({ neverConnectToCloud: true, plugins: PLUGINS[variant] }, null, 2));
}

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: 'true' };
const nxBin = join(root, 'node_modules/nx', JSON.parse(readFileSync(join(root, 'node_modules/nx/package.json'), 'utf8')).bin.nx);
const nx = (args, extraEnv = {}) =>
  execFileSync(process.execPath, [nxBin, ...args], { cwd: workspace, env: { ...env, ...extraEnv }, encoding: 'utf8' });

function coldGraphSeconds(variant) {
  nx(['reset', '--only-cache']);
  rmSync(join(workspace, '.nx'), { recursive: true, force: true });
  const started = process.hrtime.bigint();
  nx(['graph', '--file=graph.json'], variant.endsWith('-in-process') ? { NX_ISOLATE_PLUGINS: 'false' } : {});
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const loadBefore = loadavg().map((value) => value.toFixed(2)).join(' ');
try {
  createWorkspace();
  setPlugins('ours');
  const projects = JSON.parse(nx(['show', 'projects', '--json'])).length;
  const withTargets = JSON.parse(nx(['show', 'projects', '--with-target=migrate', '--json'])).length;
  if (projects !== PROJECTS || withTargets !== Math.ceil(PROJECTS / 2)) {
    throw new Error(`The bench workspace has ${projects} projects, ${withTargets} with migrate; expected ${PROJECTS} and ${Math.ceil(PROJECTS / 2)}.`);
  }
  const runs = Object.fromEntries(Object.keys(PLUGINS).map((variant) => [variant, []]));
  coldGraphSeconds('none'); // warms the file system cache for every variant
  for (let run = 0; run < RUNS; run++) {
    for (const variant of Object.keys(runs)) {
      setPlugins(variant);
      runs[variant].push({ seconds: coldGraphSeconds(variant), peakMb: 0 });
    }
  }
  const without = summarize(`nx graph, ${PROJECTS} projects, no plugin`, runs.none);
  const nothing = summarize(`nx graph, ${PROJECTS} projects, a plugin that infers nothing`, runs.nothing);
  const withPlugin = summarize(`nx graph, ${PROJECTS} projects (${withTargets} with a data source), with ours`, runs.ours);
  const noneInProcess = summarize(`same, no plugin, NX_ISOLATE_PLUGINS=false`, runs['none-in-process']);
  const nothingInProcess = summarize(`same, a plugin that infers nothing, NX_ISOLATE_PLUGINS=false`, runs['nothing-in-process']);
  const oursInProcess = summarize(`same, ours, NX_ISOLATE_PLUGINS=false`, runs['ours-in-process']);
  const overhead = (row, base = without) => `${(((row.seconds - base.seconds) / base.seconds) * 100).toFixed(1)} %`;
  printReport({
    bench: 'project-graph',
    rows: [without, nothing, withPlugin, noneInProcess, nothingInProcess, oursInProcess],
    ratios: [
      ratio('graph time with the plugin / without', withPlugin.seconds / without.seconds, '<=', 1 + TARGET_OVERHEAD / 100),
      ratio('same, a plugin that infers nothing / without', nothing.seconds / without.seconds, '<=', 1 + TARGET_OVERHEAD / 100),
      ratio('same, plugins in Nx\'s process: ours / without', oursInProcess.seconds / noneInProcess.seconds, '<=', 1 + TARGET_OVERHEAD / 100),
    ],
    notes: [
      `cold: nx reset and no daemon before each run; runs alternated; load average before: ${loadBefore}`,
      `overhead over no plugin: a plugin that infers nothing ${overhead(nothing)}, ours ${overhead(withPlugin)}; ` +
        `with plugin isolation off (over no plugin, isolation off): ${overhead(nothingInProcess, noneInProcess)} and ` +
        `${overhead(oursInProcess, noneInProcess)}; isolation off itself: ${overhead(noneInProcess)} (Nx's own plugins leave their workers too)`,
    ],
  });
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
