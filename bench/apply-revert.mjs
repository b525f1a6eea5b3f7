#!/usr/bin/env node
/**
 * Apply and revert N small migrations (default 1,000; each creates a table and an index, down drops it),
 * measured in one run against the floor (raw psql, one transaction per migration plus a version row), our CLI
 * (`migrate --to=head`, `migrate --to=base`; from the sources, and as built by `npm run build` when dist/ is
 * up to date) and TypeORM's CLI (`migration:run -t each` through ts-node, and
 * `migration:revert`, which reverts one migration per launch: a few launches are timed and multiplied by N).
 * `nx run` adds a constant start-up to each command; it is measured on the dogfood project `backend` (its own few
 * migrations), against our CLI on the same project, because an Nx workspace of 1,000 migrations would mean
 * writing a project into this repository's tree while the benchmark runs.
 *
 *   node bench/apply-revert.mjs [--n=1000] [--runs=3] [--revert-launches=3] [--only=psql,ours,built,typeorm,nx]
 */
import { countVersionRows, countWorkloadTables, createDatabase } from './lib/database.mjs';
import {
  BUILT_CLI_DESCRIPTION,
  DOGFOOD_PROJECT,
  OUR_CLI_DESCRIPTION,
  builtCli,
  builtCliUnavailable,
  nxRun,
  ourCli,
  psql,
  typeormCli,
} from './lib/commands.mjs';
import { readFlags } from './lib/flags.mjs';
import { measureOk } from './lib/measure.mjs';
import { infoRatio, median, printReport, ratio, summarize } from './lib/report.mjs';
import {
  WORKSPACE_ROOT,
  makeScratchProject,
  writeOurProject,
  writePsqlScripts,
  writeTypeormProject,
} from './lib/workload.mjs';

const TOOLS = ['psql', 'ours', 'built', 'typeorm', 'nx'];
const flags = readFlags(process.argv.slice(2), { n: 1000, runs: 3, 'revert-launches': 3, only: TOOLS.join(',') });
const { n, runs } = flags;
const only = new Set(flags.only.split(','));
for (const tool of only) {
  if (!TOOLS.includes(tool)) throw new Error(`--only takes a list of ${TOOLS.join(', ')}; got ${tool}.`);
}

async function expectTables(url, expected, label) {
  const actual = await countWorkloadTables(url);
  if (actual !== expected) throw new Error(`${label} left ${actual} workload tables instead of ${expected}.`);
}

/** Times `apply` then `revert` on a fresh database, checking that each did all of its work. */
async function applyThenRevert(label, commands) {
  const database = await createDatabase();
  try {
    const env = { ...process.env, DATABASE_URL: database.url };
    const apply = commands.apply(database.url);
    const applied = await measureOk(`${label} apply`, apply.command, apply.args, {
      cwd: WORKSPACE_ROOT,
      env,
      ...apply.options,
    });
    await expectTables(database.url, n, `${label} apply`);
    const revert = commands.revert(database.url);
    const reverted = await measureOk(`${label} revert`, revert.command, revert.args, {
      cwd: WORKSPACE_ROOT,
      env,
      ...revert.options,
    });
    await expectTables(database.url, 0, `${label} revert`);
    return { applied, reverted };
  } finally {
    await database.drop();
  }
}

/** TypeORM: `migration:run -t each` once, then a few `migration:revert` launches, each undoing one migration. */
async function typeormRun(projectRoot) {
  const database = await createDatabase();
  try {
    const options = { cwd: projectRoot, env: { ...process.env, DATABASE_URL: database.url } };
    const run = typeormCli(['migration:run', '-d', 'data-source.ts', '-t', 'each']);
    const applied = await measureOk('TypeORM migration:run', run.command, run.args, options);
    await expectTables(database.url, n, 'TypeORM migration:run');
    const launches = [];
    for (let k = 0; k < flags['revert-launches']; k += 1) {
      const revert = typeormCli(['migration:revert', '-d', 'data-source.ts']);
      launches.push(await measureOk('TypeORM migration:revert', revert.command, revert.args, options));
    }
    await expectTables(database.url, n - flags['revert-launches'], 'TypeORM migration:revert');
    return { applied, launches };
  } finally {
    await database.drop();
  }
}

/** Head then base on the dogfood project, once through `nx run` and once through our CLI, on fresh databases. */
async function nxAgainstCli() {
  const measured = {};
  for (const [via, invocation] of [
    ['nx', (to) => nxRun('backend:migrate', [`--to=${to}`])],
    ['cli', (to) => ourCli('migrate', DOGFOOD_PROJECT, [`--to=${to}`])],
  ]) {
    const database = await createDatabase();
    try {
      const env = { ...process.env, DATABASE_URL: database.url, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
      for (const to of ['head', 'base']) {
        const { command, args } = invocation(to);
        measured[`${via} ${to}`] = await measureOk(`${via} migrate --to=${to}`, command, args, {
          cwd: WORKSPACE_ROOT,
          env,
        });
        const versions = await countVersionRows(database.url);
        if (versions !== (to === 'head' ? 1 : 0))
          throw new Error(`${via} migrate --to=${to} left ${versions} version rows.`);
      }
    } finally {
      await database.drop();
    }
  }
  return measured;
}

const psqlProject = makeScratchProject('psql');
const ourProject = makeScratchProject('ours');
const typeormProject = makeScratchProject('typeorm');
try {
  const { applyFile, revertFile } = writePsqlScripts(psqlProject.root, n);
  writeOurProject(ourProject.root, n);
  if (only.has('typeorm')) writeTypeormProject(typeormProject.root, n);
  const builtSkipped = only.has('built') ? builtCliUnavailable() : undefined;
  const measureBuilt = only.has('built') && !builtSkipped;

  const results = {
    psqlApply: [],
    psqlRevert: [],
    oursApply: [],
    oursRevert: [],
    builtApply: [],
    builtRevert: [],
    typeormApply: [],
    typeormRevert: [],
    nxHead: [],
    nxBase: [],
    cliHead: [],
    cliBase: [],
  };
  for (let run = 1; run <= runs; run += 1) {
    process.stderr.write(`run ${run}/${runs}:`);
    if (only.has('psql')) {
      process.stderr.write(' psql');
      const floor = await applyThenRevert('psql', {
        apply: (url) => psql(url, applyFile),
        revert: (url) => psql(url, revertFile),
      });
      results.psqlApply.push(floor.applied);
      results.psqlRevert.push(floor.reverted);
    }
    if (only.has('ours')) {
      process.stderr.write(' ours');
      const ours = await applyThenRevert('migrate', {
        apply: () => ourCli('migrate', ourProject.root, ['--to=head']),
        revert: () => ourCli('migrate', ourProject.root, ['--to=base']),
      });
      results.oursApply.push(ours.applied);
      results.oursRevert.push(ours.reverted);
    }
    if (measureBuilt) {
      process.stderr.write(' built');
      const built = await applyThenRevert('built migrate', {
        apply: () => builtCli('migrate', ourProject.root, ['--to=head']),
        revert: () => builtCli('migrate', ourProject.root, ['--to=base']),
      });
      results.builtApply.push(built.applied);
      results.builtRevert.push(built.reverted);
    }
    if (only.has('typeorm')) {
      process.stderr.write(' TypeORM');
      const typeorm = await typeormRun(typeormProject.root);
      results.typeormApply.push(typeorm.applied);
      results.typeormRevert.push(...typeorm.launches);
    }
    if (only.has('nx')) {
      process.stderr.write(' nx');
      const measured = await nxAgainstCli();
      results.nxHead.push(measured['nx head']);
      results.nxBase.push(measured['nx base']);
      results.cliHead.push(measured['cli head']);
      results.cliBase.push(measured['cli base']);
    }
    process.stderr.write('\n');
  }

  const rows = [];
  const ratios = [];
  const notes = [`N = ${n}, medians of ${runs} runs, whole-process wall time; psql peak memory is the client's only.`];
  const psqlRows = only.has('psql') && [
    summarize(`psql apply ${n} (one transaction per migration + version row)`, results.psqlApply),
    summarize(`psql revert ${n}`, results.psqlRevert),
  ];
  const oursRows = only.has('ours') && [
    summarize('ours: migrate --to=head', results.oursApply, OUR_CLI_DESCRIPTION),
    summarize('ours: migrate --to=base', results.oursRevert, OUR_CLI_DESCRIPTION),
  ];
  const builtRows = measureBuilt && [
    summarize('ours built: migrate --to=head', results.builtApply, BUILT_CLI_DESCRIPTION),
    summarize('ours built: migrate --to=base', results.builtRevert, BUILT_CLI_DESCRIPTION),
  ];
  if (builtSkipped) notes.push(`The built CLI was not measured: ${builtSkipped}.`);
  let typeormRows;
  if (only.has('typeorm')) {
    const oneRevert = median(results.typeormRevert.map((r) => r.seconds));
    typeormRows = [
      summarize('TypeORM migration:run -t each (ts-node)', results.typeormApply),
      {
        ...summarize(`TypeORM migration:revert x ${n} (extrapolated)`, results.typeormRevert),
        seconds: oneRevert * n,
        note: `${results.typeormRevert.length} launches timed, median ${oneRevert.toFixed(2)} s x ${n}`,
      },
    ];
    notes.push('TypeORM runs through typeorm-ts-node-commonjs (ts-node with type checking, its documented default).');
  }
  let nxRows;
  if (only.has('nx')) {
    nxRows = [
      summarize('nx run backend:migrate --to=head (dogfood project)', results.nxHead),
      summarize('nx run backend:migrate --to=base (dogfood project)', results.nxBase),
      summarize('ours: migrate --to=head, same project', results.cliHead),
      summarize('ours: migrate --to=base, same project', results.cliBase),
    ];
    const overhead = (nxRows[0].seconds - nxRows[2].seconds + nxRows[1].seconds - nxRows[3].seconds) / 2;
    notes.push(`nx run adds ${overhead.toFixed(2)} s per command (project graph, task runner) to the same migrate.`);
  }
  for (const group of [psqlRows, oursRows, builtRows, typeormRows, nxRows]) if (group) rows.push(...group);
  if (psqlRows && oursRows) {
    // Users run the published build; from the sources, every start also transpiles our own TypeScript (about
    // 0.4 s). With the build measured, the target is judged on it and the sources' ratios are information.
    const judged = builtRows ? infoRatio : (what, value) => ratio(what, value, '<=', 1.5);
    ratios.push(judged('ours / psql, apply', oursRows[0].seconds / psqlRows[0].seconds));
    ratios.push(judged('ours / psql, revert', oursRows[1].seconds / psqlRows[1].seconds));
    if (builtRows) notes.push('ours / psql is from the sources (transpiled at start); the 1.5 target is judged on the build.');
  }
  if (psqlRows && builtRows) {
    ratios.push(ratio('ours built / psql, apply', builtRows[0].seconds / psqlRows[0].seconds, '<=', 1.5));
    ratios.push(ratio('ours built / psql, revert', builtRows[1].seconds / psqlRows[1].seconds, '<=', 1.5));
  }
  if (oursRows && typeormRows) {
    ratios.push(ratio('TypeORM / ours, apply', typeormRows[0].seconds / oursRows[0].seconds, '>=', 5));
    ratios.push(ratio('TypeORM / ours, revert all', typeormRows[1].seconds / oursRows[1].seconds, '>=', 5));
  }
  printReport({ bench: 'apply-revert', rows, ratios, notes });
} finally {
  psqlProject.remove();
  ourProject.remove();
  typeormProject.remove();
}
