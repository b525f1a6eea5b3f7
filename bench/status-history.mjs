#!/usr/bin/env node
/**
 * `migrate-status` and `migrate-history` on N revisions (default 1,000) with the database at head, against
 * TypeORM's nearest command, `migration:show` (ts-node), on the same number of applied migrations.
 *
 *   node bench/status-history.mjs [--n=1000] [--runs=3] [--only=ours,typeorm]
 */
import { createDatabase, withClient } from './lib/database.mjs';
import { OUR_CLI_DESCRIPTION, ourCli, typeormCli } from './lib/commands.mjs';
import { readFlags } from './lib/flags.mjs';
import { measureOk } from './lib/measure.mjs';
import { printReport, ratio, summarize } from './lib/report.mjs';
import {
  TIMESTAMP_BASE,
  WORKSPACE_ROOT,
  makeScratchProject,
  revisionOf,
  writeOurProject,
  writeTypeormProject,
} from './lib/workload.mjs';

const TOOLS = ['ours', 'typeorm'];
const flags = readFlags(process.argv.slice(2), { n: 1000, runs: 3, only: TOOLS.join(',') });
const { n, runs } = flags;
const only = new Set(flags.only.split(','));
for (const tool of only) {
  if (!TOOLS.includes(tool)) throw new Error(`--only takes a list of ${TOOLS.join(', ')}; got ${tool}.`);
}

async function timeRuns(label, invocation, options, check) {
  const results = [];
  for (let run = 0; run < runs; run += 1) {
    const result = await measureOk(label, invocation.command, invocation.args, options);
    check(result);
    results.push(result);
  }
  return results;
}

function expectOutput(label, pattern) {
  return (result) => {
    if (!pattern.test(result.stdout)) {
      throw new Error(`${label} printed no ${pattern} in:\n${result.stdout.slice(-2000)}`);
    }
  };
}

const rows = [];
const ratios = [];
const notes = [`N = ${n} revisions, database at head, medians of ${runs} runs, whole-process wall time.`];
const ours = makeScratchProject('status-ours');
const typeorm = makeScratchProject('status-typeorm');
const database = await createDatabase();
try {
  const env = { ...process.env, DATABASE_URL: database.url };
  let oursStatus;
  if (only.has('ours')) {
    writeOurProject(ours.root, n);
    const setUp = ourCli('migrate', ours.root, ['--to=head']);
    process.stderr.write(`applying ${n} migrations for the status and history runs\n`);
    await measureOk('set-up migrate --to=head', setUp.command, setUp.args, { cwd: WORKSPACE_ROOT, env });
    const options = { cwd: WORKSPACE_ROOT, env };
    const head = new RegExp(revisionOf(n));
    oursStatus = summarize(
      'ours: migrate-status',
      await timeRuns('migrate-status', ourCli('status', ours.root), options, expectOutput('migrate-status', head)),
      OUR_CLI_DESCRIPTION,
    );
    rows.push(oursStatus);
    rows.push(
      summarize(
        'ours: migrate-history',
        await timeRuns(
          'migrate-history',
          ourCli('history', ours.root),
          options,
          expectOutput('migrate-history', /Create t_1\b/),
        ),
      ),
    );
    rows.push(
      summarize(
        'ours: migrate-history --json',
        await timeRuns('migrate-history --json', ourCli('history', ours.root, ['--json']), options, (result) => {
          const revisions = JSON.parse(result.stdout).revisions;
          if (revisions?.length !== n)
            throw new Error(`migrate-history --json listed ${revisions?.length} revisions, not ${n}.`);
        }),
      ),
    );
  }
  if (only.has('typeorm')) {
    writeTypeormProject(typeorm.root, n);
    // TypeORM's own bookkeeping, filled directly: `migration:show` only reads it and loads every migration file.
    await withClient(database.url, async (client) => {
      await client.query(
        'CREATE TABLE migrations (id serial PRIMARY KEY, "timestamp" bigint NOT NULL, name varchar NOT NULL)',
      );
      await client.query(
        `INSERT INTO migrations ("timestamp", name)
         SELECT ${TIMESTAMP_BASE} + i, 'CreateT' || i || (${TIMESTAMP_BASE} + i) FROM generate_series(1, $1::int) AS i`,
        [n],
      );
    });
    const show = summarize(
      'TypeORM migration:show (ts-node)',
      await timeRuns(
        'TypeORM migration:show',
        typeormCli(['migration:show', '-d', 'data-source.ts']),
        { cwd: typeorm.root, env },
        expectOutput('migration:show', /\[X\]/),
      ),
    );
    rows.push(show);
    if (oursStatus)
      ratios.push(ratio('TypeORM migration:show / ours migrate-status', show.seconds / oursStatus.seconds, '>=', 5));
  }
  printReport({ bench: 'status-history', rows, ratios, notes });
} finally {
  await database.drop();
  ours.remove();
  typeorm.remove();
}
