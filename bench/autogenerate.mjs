#!/usr/bin/env node
/**
 * Autogenerate as users run it: `nx g nx-typeorm-migrations:migration --dry-run` in an Nx workspace that installed
 * the plugin packed by `npm run build` (lib/nx-workspace.mjs), with Nx's daemon on (a developer's default; started
 * and warmed before timing) and off (CI), against TypeORM's CLI `migration:generate --dryrun` run by plain node on
 * the same compiled data source (`packages/db/src/data-source.js`, no ts-node), in one run, the tools taking turns
 * run by run. The same `nx g` of a generator that does nothing (a local plugin of the workspace) tells Nx's
 * own share; "our share" is the whole `nx g` minus it, per daemon mode.
 *
 * Phases per workload: from empty (no migration; TypeORM on an empty database), in sync (the migration generated
 * from empty written by `nx g` and applied by `nx run db:migrate` to the database TypeORM compares with) and, on the
 * generated workloads, a column added (entity E1 gains a nullable column; the migrations and the database as in sync).
 * Ours compares with the schema its migrations build in a shadow database (PGlite in memory, the default), saved
 * after a replay with the answers to the catalog questions asked of it. Each phase starts with one run of every tool
 * that is not counted (its first run, which replays the migration and saves the shadow, is printed as a row of its
 * own); the counted runs start from the saved shadow, as a developer's next generate does. Every counted run's time
 * is in BENCH_JSON.
 *
 * Workloads: N generated entities (6 columns, a unique index, a foreign key to the previous entity; compiled to
 * JavaScript by TypeScript, as a build does), and a real application's entities as its npm package ships them
 * (`--app=vendure`: @vendure/core's 75 entity classes, 103 entity metadatas with the many-to-many join tables, 87
 * tables; installed into its own workspace on first use, its TypeORM 0.3 the one both tools load).
 *
 *   node bench/autogenerate.mjs [--sizes=300,1000,3000] [--app=vendure|none] [--runs=3] [--large-runs=1]
 *                               [--only=ours,noop,typeorm] [--daemon=on,off] [--quick]
 *
 * --large-runs: the counted runs of sizes above 1,000 (default 1: 3,000 entities take minutes per run); --quick:
 * --sizes=20 --runs=1 (checks the script, measures nothing worth keeping). --app=none leaves the real application out.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { createDatabase, withClient } from './lib/database.mjs';
import { readFlags } from './lib/flags.mjs';
import { measure } from './lib/measure.mjs';
import {
  PROJECT_ROOT,
  benchWorkspace,
  buildPlugin,
  installPlugin,
  nxCommand,
  nxEnvironment,
  runNx,
  startDaemon,
  stopDaemon,
} from './lib/nx-workspace.mjs';
import { infoRatio, printReport, ratio, summarize } from './lib/report.mjs';

const TOOLS = ['ours', 'noop', 'typeorm'];
const DAEMON_MODES = ['on', 'off'];
const APPS = ['vendure', 'none'];
const VENDURE_VERSION = '3.7.3';

const flags = readFlags(process.argv.slice(2), {
  sizes: '300,1000,3000',
  app: 'vendure',
  runs: 3,
  'large-runs': 1,
  only: TOOLS.join(','),
  daemon: DAEMON_MODES.join(','),
  quick: false,
});
if (flags.quick) Object.assign(flags, { sizes: '20', runs: 1 });
const sizes = flags.sizes === 'none' ? [] : flags.sizes.split(',').map(Number);
if (sizes.some((size) => !Number.isInteger(size) || size < 2)) throw new Error(`--sizes takes entity counts of 2 or more, or none; got ${flags.sizes}.`);
const only = new Set(flags.only.split(','));
const daemons = flags.daemon.split(',');
for (const tool of only) if (!TOOLS.includes(tool)) throw new Error(`--only takes a list of ${TOOLS.join(', ')}; got ${tool}.`);
for (const mode of daemons) if (!DAEMON_MODES.includes(mode)) throw new Error(`--daemon takes on, off or both; got ${mode}.`);
if (!APPS.includes(flags.app)) throw new Error(`--app takes ${APPS.join(' or ')}; got ${flags.app}.`);

const SOURCE = join(PROJECT_ROOT, 'src');
const DATA_SOURCE = join(SOURCE, 'data-source.js');

function entitySource(i, { extra = false } = {}) {
  const previous = i > 1 ? `E${i - 1}` : undefined;
  return `import { Column, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
${previous ? `import { ${previous} } from './e${i - 1}.entity';\n` : ''}
@Entity()
export class E${i} {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @Index({ unique: true }) @Column() code!: string;
  @Column('int', { default: 0 }) quantity!: number;
  @Column('timestamptz', { default: () => 'now()' }) createdAt!: Date;
${previous ? `  @ManyToOne(() => ${previous}, { nullable: true, onDelete: 'SET NULL' }) previous!: object | null;` : '  @Column({ type: \'text\', nullable: true }) note!: string | null;'}
${extra ? "  @Column({ type: 'varchar', length: 40, nullable: true }) extra!: string | null;\n" : ''}}
`;
}

/** The JavaScript `tsc` emits for a project with TypeORM's decorators (CommonJS, decorator metadata). */
function compile(source) {
  return ts.transpileModule(source, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2021,
      module: ts.ModuleKind.CommonJS,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
    },
  }).outputText;
}

/** The project's compiled sources: N generated entities and the data source listing them. */
function writeGeneratedProject(root, n) {
  mkdirSync(join(root, SOURCE, 'entities'), { recursive: true });
  for (let i = 1; i <= n; i += 1) writeFileSync(join(root, SOURCE, 'entities', `e${i}.entity.js`), compile(entitySource(i)));
  writeFileSync(
    join(root, DATA_SOURCE),
    compile(`import 'reflect-metadata';
import { DataSource } from 'typeorm';
${Array.from({ length: n }, (_, k) => `import { E${k + 1} } from './entities/e${k + 1}.entity';`).join('\n')}

export default new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL,
  entities: [${Array.from({ length: n }, (_, k) => `E${k + 1}`).join(', ')}],
});
`),
  );
}

/**
 * Vendure's entities as its server sets them up before TypeORM sees them (bootstrap's preBootstrapConfig without
 * plugins or custom fields): auto-increment ids, the default money columns.
 */
function writeVendureProject(root) {
  mkdirSync(join(root, SOURCE), { recursive: true });
  writeFileSync(
    join(root, DATA_SOURCE),
    `'use strict';
require('reflect-metadata');
const { DataSource } = require('typeorm');
const core = (path) => require(\`@vendure/core/dist/\${path}\`);
const entities = Object.values(core('entity/entities').coreEntitiesMap);
const { AutoIncrementIdStrategy } = core('config/entity/auto-increment-id-strategy');
const { DefaultMoneyStrategy } = core('config/entity/default-money-strategy');
core('entity/set-entity-id-strategy').setEntityIdStrategy(new AutoIncrementIdStrategy(), entities);
core('entity/set-money-strategy').setMoneyStrategy(new DefaultMoneyStrategy(), entities);

exports.default = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, entities });
`,
  );
}

const workloads = [
  ...sizes.map((n) => ({
    name: `${n} entities`,
    key: String(n),
    workspace: 'generated',
    dependencies: {},
    typeorm: undefined,
    runs: n > 1000 ? flags['large-runs'] : flags.runs,
    write: (root) => writeGeneratedProject(root, n),
    // A developer's next change: a column added to an entity, the history as it was.
    change: (root) => writeFileSync(join(root, SOURCE, 'entities', 'e1.entity.js'), compile(entitySource(1, { extra: true }))),
    changed: { ours: /\+ column e1\.extra\b/, theirs: /ALTER TABLE "e1" ADD "extra"/ },
    // The history that brings the database in sync: one migration of every table up to 1,000 entities; above, one
    // per 1,000 entities, as a real history grows (3,000 new tables in one transaction exceed PostgreSQL's default
    // lock table: max_locks_per_transaction 64 × max_connections 100).
    history: (root) =>
      Array.from({ length: Math.ceil(n / 1000) }, (_, k) => () => writeGeneratedProject(root, Math.min(n, (k + 1) * 1000))),
    tables: n,
    ours: new RegExp(`\\+ table e${n}\\b`),
    theirs: new RegExp(`CREATE TABLE "e${n}"`),
  })),
  ...(flags.app === 'vendure'
    ? [
        {
          name: `Vendure ${VENDURE_VERSION}`,
          key: 'vendure',
          workspace: 'vendure',
          // typeorm comes with @vendure/core (its own range, TypeORM 0.3), so the entities and the CLI share one.
          dependencies: { '@vendure/core': VENDURE_VERSION },
          typeorm: null,
          runs: flags.runs,
          write: writeVendureProject,
          tables: 80,
          ours: /\+ table product_variant\b/,
          theirs: /CREATE TABLE "product_variant"/,
        },
      ]
    : []),
];

function expectOutput(result, label, pattern) {
  const output = result.stdout + result.stderr;
  if ((pattern && !pattern.test(output)) || (!pattern && result.exitCode !== 0)) {
    throw new Error(`${label} (exit ${result.exitCode}) printed no ${pattern ?? 'success'}:\n${output.slice(-3000)}`);
  }
}

const IN_SYNC = { ours: /No changes in schema detected\./, theirs: /No changes in database schema were found/ };
const PHASES = { empty: 'from empty', sync: 'in sync', changed: 'a column added' };

function expectedOf(phase, workload, side) {
  if (phase === 'empty') return workload[side];
  if (phase === 'changed') return workload.changed[side];
  return IN_SYNC[side];
}

const rows = [];
const ratios = [];
const shares = {};
const wholes = {};
process.stderr.write('building and packing the plugin (npm run build)\n');
const tarball = buildPlugin();
const started = Date.now();
for (const workload of workloads) {
  const { root, noop } = benchWorkspace(workload.workspace, { dependencies: workload.dependencies, typeorm: workload.typeorm });
  installPlugin(root, tarball);
  rmSync(join(root, PROJECT_ROOT, 'src'), { recursive: true, force: true });
  rmSync(join(root, PROJECT_ROOT, 'migrations'), { recursive: true, force: true });
  process.stderr.write(`${workload.name}: writing the project in ${root}\n`);
  workload.write(root);
  const database = await createDatabase();
  const extra = { DATABASE_URL: database.url, SHADOW_DATABASE_URL: undefined };
  const environment = (daemon) => {
    const env = nxEnvironment(daemon, extra);
    delete env.SHADOW_DATABASE_URL;
    return env;
  };
  try {
    const generateArgs = ['--project=db', '--message=Bench', '--dry-run', '--no-interactive'];
    const timePhase = async (phase) => {
      if (daemons.includes('on')) startDaemon(root);
      const contenders = [];
      for (const mode of daemons) {
        const daemon = mode === 'on';
        if (only.has('ours')) {
          contenders.push({
            key: `ours-${mode}`,
            label: `${workload.name}, ${PHASES[phase]}: nx g migration, daemon ${mode}`,
            invocation: nxCommand(root, ['g', 'nx-typeorm-migrations:migration', ...generateArgs]),
            env: environment(daemon),
            expected: expectedOf(phase, workload, 'ours'),
          });
        }
        if (only.has('noop')) {
          contenders.push({
            key: `noop-${mode}`,
            label: `${workload.name}, ${PHASES[phase]}: nx g of a no-op generator, daemon ${mode}`,
            invocation: nxCommand(root, ['g', noop, ...generateArgs]),
            env: environment(daemon),
          });
        }
      }
      if (only.has('typeorm')) {
        contenders.push({
          key: 'typeorm',
          label: `${workload.name}, ${PHASES[phase]}: TypeORM migration:generate --dryrun`,
          invocation: {
            command: process.execPath,
            args: [join(root, 'node_modules/typeorm/cli.js'), 'migration:generate', '-d', DATA_SOURCE, '--dr', join(PROJECT_ROOT, 'typeorm-migrations', 'Bench')],
          },
          env: environment(false),
          expected: expectedOf(phase, workload, 'theirs'),
        });
      }
      const measured = new Map(contenders.map(({ key }) => [key, []]));
      const firsts = new Map();
      // Run 0 is not counted: the first generate of a phase fills the caches a developer's next one finds (the
      // shadow saved after replaying the migrations, the transpile cache), and would land on whichever tool runs
      // first. It is printed as a row of its own.
      for (let run = 0; run <= workload.runs; run += 1) {
        for (const { key, label, invocation, env, expected } of contenders) {
          const result = await measure(invocation.command, invocation.args, { cwd: root, env });
          expectOutput(result, label, expected);
          if (run === 0) firsts.set(key, result);
          else measured.get(key).push(result);
          process.stderr.write(`  ${label}${run === 0 ? ' (first run, not counted)' : ''}: ${result.seconds.toFixed(2)} s\n`);
        }
      }
      const first = contenders.find(({ key }) => key.startsWith('ours-'));
      if (first) rows.push(summarize(`${first.label}, the phase's first run (fills the caches; not counted)`, [firsts.get(first.key)]));
      const summary = {};
      for (const { key, label } of contenders) summary[key] = summarize(label, measured.get(key));
      for (const mode of daemons) {
        const whole = summary[`ours-${mode}`];
        const noop = summary[`noop-${mode}`];
        if (whole) rows.push(whole);
        if (noop) rows.push(noop);
        if (whole && noop) {
          const share = {
            what: `${workload.name}, ${PHASES[phase]}: our share (nx g migration − no-op), daemon ${mode}`,
            seconds: whole.seconds - noop.seconds,
            peakMb: 0,
          };
          rows.push(share);
          shares[`${workload.key}/${phase}/${mode}`] = share.seconds;
        }
        if (whole) wholes[`${workload.key}/${phase}/${mode}`] = whole.seconds;
      }
      if (summary.typeorm) rows.push(summary.typeorm);
      const theirs = summary.typeorm?.seconds;
      if (theirs !== undefined) {
        for (const mode of daemons) {
          const share = shares[`${workload.key}/${phase}/${mode}`];
          if (share !== undefined) {
            ratios.push(ratio(`${workload.name}, ${PHASES[phase]}: TypeORM / our share, daemon ${mode}`, theirs / share, '>=', 1));
          }
        }
        const whole = wholes[`${workload.key}/${phase}/on`];
        if (whole !== undefined) {
          ratios.push(ratio(`${workload.name}, ${PHASES[phase]}: TypeORM × 1.5 / whole nx g, daemon on`, (1.5 * theirs) / whole, '>=', 1));
        }
      }
    };

    await timePhase('empty');

    // In sync: the migration generated from empty, written by nx g and applied by nx run db:migrate to the
    // database TypeORM compares with.
    process.stderr.write(`${workload.name}: writing and applying the migration${workload.tables > 1000 ? 's' : ''} generated from empty${workload.tables > 1000 ? ', 1,000 entities at a time' : ''}\n`);
    stopDaemon(root);
    const history = workload.history?.(root) ?? [() => undefined];
    const versions = join(root, PROJECT_ROOT, 'migrations', 'versions');
    for (const [index, writeStep] of history.entries()) {
      writeStep();
      runNx(root, ['g', 'nx-typeorm-migrations:migration', '--project=db', `--message=Initial ${index + 1}`, '--no-interactive'], environment(false));
      if (readdirSync(versions).filter((file) => file.endsWith('.ts')).length !== index + 1) {
        throw new Error(`nx g migration wrote no migration into ${versions}.`);
      }
      runNx(root, ['run', 'db:migrate', '--to=head'], environment(false));
    }
    await withClient(database.url, async (client) => {
      const { rows: found } = await client.query(`SELECT count(*)::int AS tables FROM pg_tables WHERE schemaname = 'public'`);
      if (found[0].tables < workload.tables) {
        throw new Error(`nx run db:migrate left ${found[0].tables} tables, not ${workload.tables} or more.`);
      }
    });
    await timePhase('sync');
    if (workload.change) {
      process.stderr.write(`${workload.name}: a column added to an entity (the migrations as they were)\n`);
      workload.change(root);
      await timePhase('changed');
    }
  } finally {
    stopDaemon(root);
    await database.drop();
  }
}

// Linear cost: our share at the largest size against the one before it (linear = the ratio of the sizes).
const ordered = [...sizes].sort((a, b) => a - b);
for (let k = 1; k < ordered.length; k += 1) {
  const [small, large] = [ordered[k - 1], ordered[k]];
  for (const phase of Object.keys(PHASES)) {
    for (const mode of daemons) {
      const a = shares[`${small}/${phase}/${mode}`];
      const b = shares[`${large}/${phase}/${mode}`];
      if (a !== undefined && b !== undefined) {
        ratios.push(infoRatio(`our share ${large}/${small} entities, ${PHASES[phase]}, daemon ${mode} (linear: ${(large / small).toFixed(1)})`, b / a));
      }
    }
  }
}

const notes = [
  `Medians of ${flags.runs} counted runs (${flags["large-runs"]} above 1,000 entities), whole-process wall time; in each phase the tools take turns, run by run. ${((Date.now() - started) / 60000).toFixed(1)} min in all.`,
  'nx g = nx g nx-typeorm-migrations:migration --dry-run in an Nx workspace with the plugin packed by npm run build (lib/nx-workspace.mjs); no-op = nx g of a local generator that does nothing, same flags; our share = the difference of their medians.',
  'Daemon on: NX_DAEMON=true, the daemon started and the project graph computed before the phase (its own memory is not in the peak). Daemon off: NX_DAEMON=false, as on CI.',
  'TypeORM = node node_modules/typeorm/cli.js migration:generate --dryrun -d packages/db/src/data-source.js: the same compiled data source, no ts-node.',
  "Each phase starts with one run of every tool that is not counted: ours saves its shadow database after replaying the migrations, and the counted runs start from it, as a developer's next generate does; the first run's time is its own row.",
];
printReport({ bench: 'autogenerate', rows, ratios, notes });
