#!/usr/bin/env node
/**
 * `migrate-check` on a history of N migrations (default 100 and 1,000) plus one new migration on a branch, with
 * `--base=main`: the new migration walks the stairway, the others replay forward once. Timed cold (no saved shadow:
 * a CI machine without the tool's cache) and warm (the shadow saved by the previous run, as on a developer's machine
 * or a CI cache), with the full stairway (no `--base`) beside them. Prints the 1,000/100 ratio.
 *
 *   node bench/check.mjs [--sizes=100,1000] [--runs=3] [--full-runs=1]
 *
 * Each project is a git repository whose `main` holds the N migrations and whose `feature` branch adds one; its data
 * source describes the N + 1 tables (EntitySchema), so `entities match migrations` has real work to do.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFlags } from './lib/flags.mjs';
import { measureOk } from './lib/measure.mjs';
import { formatSeconds, infoRatio, printReport, ratio, summarize } from './lib/report.mjs';
import { WORKSPACE_ROOT, makeScratchProject, revisionOf, writeOurProject } from './lib/workload.mjs';

const flags = readFlags(process.argv.slice(2), { sizes: '100,1000', runs: 3, 'full-runs': 1 });
const sizes = flags.sizes.split(',').map(Number);
if (sizes.some((size) => !Number.isInteger(size) || size < 1)) throw new Error(`--sizes takes numbers; got ${flags.sizes}.`);
const { runs } = flags;
const fullRuns = flags['full-runs'];
/** The target of the issue this benchmark answers: the 1,000-migration check with --base under 15 s. */
const TARGET_SECONDS = 15;

function dataSource(tables) {
  return `import { DataSource, EntitySchema } from 'typeorm';

const tables = Array.from(
  { length: ${tables} },
  (_, index) =>
    new EntitySchema({
      name: \`t_\${index + 1}\`,
      columns: {
        id: { type: 'int', primary: true, generated: 'increment', primaryKeyConstraintName: \`t_\${index + 1}_pkey\` },
        name: { type: 'text' },
        created_at: { type: 'timestamptz', nullable: true, default: () => 'now()' },
      },
      indices: [{ name: \`t_\${index + 1}_name_idx\`, columns: ['name'] }],
    }),
);

export default new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, entities: tables });
`;
}

/** N migrations committed on `main`, the (N+1)-th added on `feature`. */
function writeProject(n) {
  const project = makeScratchProject(`check-${n}`);
  writeOurProject(project.root, n + 1);
  writeFileSync(join(project.root, 'data-source.ts'), dataSource(n + 1));
  writeFileSync(join(project.root, '.gitignore'), 'node_modules\n');
  const versions = join(project.root, 'migrations', 'versions');
  const added = readdirSync(versions).find((name) => name.startsWith(revisionOf(n + 1)));
  const text = readFileSync(join(versions, added), 'utf8');
  rmSync(join(versions, added));
  const git = (...args) =>
    execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], {
      cwd: project.root,
      stdio: 'pipe',
    });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-qm', `${n} migrations`);
  git('checkout', '-q', '-b', 'feature');
  writeFileSync(join(versions, added), text);
  git('add', '.');
  git('commit', '-qm', 'one new migration');
  return { ...project, migrationsDir: versions };
}

/** Where `migrate-check --base` keeps its saved shadow for a migrations folder (see saved-replay.ts). */
function savedShadowFile(migrationsDir) {
  const version = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')).version;
  const name = createHash('sha256').update(`${migrationsDir}\0migrate-check`).digest('hex').slice(0, 16);
  return join(WORKSPACE_ROOT, 'node_modules/.cache/nx-typeorm-migrations', `shadow-${version}-${name}.bin`);
}

function checkCommand(root, extra) {
  return {
    command: process.execPath,
    args: ['-r', join(WORKSPACE_ROOT, 'node_modules/@swc-node/register'), join(WORKSPACE_ROOT, 'bench/lib/check-runner.cjs'), root, ...extra],
  };
}

async function timeCheck(label, project, extra, count, before, expected) {
  const results = [];
  const { command, args } = checkCommand(project.root, extra);
  const env = { ...process.env, DATABASE_URL: '', CI: 'true' };
  for (let run = 0; run < count; run += 1) {
    before?.();
    process.stderr.write(`${label}, run ${run + 1} of ${count}\n`);
    const result = await measureOk(label, command, args, { cwd: project.root, env });
    if (!expected.test(result.stdout)) throw new Error(`${label} did not report ${expected}:\n${result.stdout.slice(-2000)}`);
    results.push(result);
  }
  return results;
}

const rows = [];
const ratios = [];
const notes = [
  `N migrations on main plus one on the branch; --base=main; PGlite shadow (the default); medians of ${runs} runs (full stairway: ${fullRuns}); whole-process wall time from the sources (swc-node).`,
  'cold: no saved shadow (deleted before each run); warm: the shadow saved by the run before.',
];
const bySize = new Map();
for (const n of sizes) {
  const project = writeProject(n);
  const saved = savedShadowFile(project.migrationsDir);
  const newOne = new RegExp(`✔ stairway: 1 migration changed since main .* ${n} migrations replayed forward`);
  try {
    const cold = summarize(
      `${n} + 1 migrations, --base, cold`,
      await timeCheck(`${n}: --base cold`, project, ['--base=main'], runs, () => rmSync(saved, { force: true }), newOne),
    );
    const warm = summarize(
      `${n} + 1 migrations, --base, warm`,
      await timeCheck(`${n}: --base warm`, project, ['--base=main'], runs, undefined, /from the saved shadow/),
    );
    const full = summarize(
      `${n} + 1 migrations, full stairway`,
      await timeCheck(`${n}: full`, project, [], fullRuns, undefined, new RegExp(`✔ stairway: ${n + 1} migrations upgrade, downgrade`)),
    );
    rows.push(cold, warm, full);
    bySize.set(n, { cold, warm, full });
  } finally {
    rmSync(saved, { force: true });
    project.remove();
  }
}
const largest = Math.max(...sizes);
const smallest = Math.min(...sizes);
if (bySize.has(1000)) {
  ratios.push(ratio(`1,000 + 1 migrations, --base, cold: seconds (target <= ${TARGET_SECONDS})`, bySize.get(1000).cold.seconds, '<=', TARGET_SECONDS));
  ratios.push(ratio(`1,000 + 1 migrations, --base, warm: seconds (target <= ${TARGET_SECONDS})`, bySize.get(1000).warm.seconds, '<=', TARGET_SECONDS));
}
if (largest !== smallest) {
  const big = bySize.get(largest);
  const small = bySize.get(smallest);
  ratios.push(infoRatio(`${largest}/${smallest} --base cold`, big.cold.seconds / small.cold.seconds));
  ratios.push(infoRatio(`${largest}/${smallest} --base warm`, big.warm.seconds / small.warm.seconds));
  ratios.push(infoRatio(`${largest}/${smallest} full stairway`, big.full.seconds / small.full.seconds));
}
for (const n of sizes) {
  const { warm, full } = bySize.get(n);
  ratios.push(infoRatio(`${n}: full stairway / --base warm`, full.seconds / warm.seconds));
}
notes.push(`largest: ${largest} + 1 migrations, --base warm ${formatSeconds(bySize.get(largest).warm.seconds)}.`);
printReport({ bench: 'check', rows, ratios, notes });
