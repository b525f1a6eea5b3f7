#!/usr/bin/env node
/**
 * Autogenerate on N entities (default 300; 6 columns each, a unique index, a foreign key to the previous entity):
 * our `generate` command (the function the `migration` generator calls, run from this repository's sources through
 * @swc-node/register, one process per run) against TypeORM 1.1's `migration:generate --dryrun` (ts-node, the
 * documented default), from an empty schema and with the schema already in sync.
 *
 * Ours compares the entities with the schema the migrations build: it starts a shadow database (an in-memory PGlite
 * by default, or a temporary database on the server with SHADOW_DATABASE_URL) and replays the migrations into it,
 * so "in sync" includes replaying a migration of N tables. TypeORM compares with the live database; so does ours with
 * `--against=database` (ours-live, timed on the same database states as TypeORM, so it needs typeorm in --only).
 *
 * The in-memory shadow is saved after a replay (keyed by the migrations' checksums) and the next run starts from it:
 * `ours` is that (its first in-sync run replays and saves, the others start from the saved shadow); `ours-cold`
 * deletes the saved shadows before each run, so every run replays all migrations (a first generate after a clone, or
 * after an edit of the first migration).
 *
 *   node bench/autogenerate.mjs [--n=300] [--runs=3] [--only=ours,ours-cold,ours-server,ours-live,typeorm] [--from=built|sources]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase, serverAdminUrl, withClient } from './lib/database.mjs';
import { builtCliUnavailable, typeormCli } from './lib/commands.mjs';
import { readFlags } from './lib/flags.mjs';
import { measure } from './lib/measure.mjs';
import { printReport, ratio, summarize } from './lib/report.mjs';
import { WORKSPACE_ROOT, makeScratchProject } from './lib/workload.mjs';

const TOOLS = ['ours', 'ours-cold', 'ours-server', 'ours-live', 'typeorm'];
const flags = readFlags(process.argv.slice(2), { n: 300, runs: 3, only: TOOLS.join(','), from: 'built' });
const { n, runs } = flags;
const only = new Set(flags.only.split(','));
for (const tool of only) {
  if (!TOOLS.includes(tool)) throw new Error(`--only takes a list of ${TOOLS.join(', ')}; got ${tool}.`);
}

function entitySource(i) {
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
}
`;
}

function writeEntityProject(root) {
  mkdirSync(join(root, 'src', 'entities'), { recursive: true });
  mkdirSync(join(root, 'migrations', 'versions'), { recursive: true });
  const imports = [];
  for (let i = 1; i <= n; i += 1) {
    writeFileSync(join(root, 'src', 'entities', `e${i}.entity.ts`), entitySource(i));
    imports.push(`import { E${i} } from './entities/e${i}.entity';`);
  }
  writeFileSync(
    join(root, 'src', 'data-source.ts'),
    `import 'reflect-metadata';
import { DataSource } from 'typeorm';
${imports.join('\n')}

// ts-node (TypeORM's CLI) type-checks: N classes typed in a chain (\`previous: E<i-1>\`) exceed TypeScript's stack
// depth when compared, so the relation property is typed \`object\` and the list \`Function[]\`.
const entities: Function[] = [${Array.from({ length: n }, (_, index) => `E${index + 1}`).join(', ')}];

export default new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, entities });
`,
  );
  // ts-node (TypeORM's CLI) and @swc-node/register (ours) both read it: decorators, CommonJS, default imports.
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2021',
        module: 'commonjs',
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        strict: true,
        esModuleInterop: true,
        skipLibCheck: true,
      },
    }),
  );
}

/**
 * One process per run: `generate()`, like `nx g migration` minus Nx's own start-up; from dist/ (what the published
 * package runs) when `npm run build` is up to date, else from the sources.
 */
function ourGenerate(root, { write, shadowDatabaseUrl, against, cold = false }) {
  const context = {
    workspaceRoot: root,
    projectRoot: root,
    projectName: 'bench',
    dataSourceFile: join(root, 'src', 'data-source.ts'),
    migrationsDir: join(root, 'migrations', 'versions'),
  };
  const script = `
const { readdirSync, rmSync, writeFileSync } = require('node:fs');
if (${cold}) {
  const cache = ${JSON.stringify(join(WORKSPACE_ROOT, 'node_modules/.cache/nx-typeorm-migrations'))};
  for (const file of (() => { try { return readdirSync(cache); } catch { return []; } })()) {
    if (/^shadow-.*\\.bin$/.test(file)) rmSync(require('node:path').join(cache, file), { force: true });
  }
}
const { generate } = require(${JSON.stringify(join(COMMANDS, `generate${EXTENSION}`))});
const { streamReporter } = require(${JSON.stringify(join(COMMANDS, `reporter${EXTENSION}`))});
generate({ ...${JSON.stringify(context)}, env: process.env }, { message: 'Bench', shadowDatabaseUrl: ${JSON.stringify(shadowDatabaseUrl)}, against: ${JSON.stringify(against)} },
  streamReporter({ out: process.stdout, err: process.stderr }))
  .then((result) => {
    if (${write} && result.changed) writeFileSync(result.path, result.content);
    // Exit once stdout is flushed: a pipe takes the summary of N tables asynchronously.
    process.stdout.write('', () => process.exit(0));
  })
  .catch((error) => { console.error(error.message); process.exit(1); });
`;
  // A file, not `-e`: the TypeScript loader hooks Node's module system, which `-e` code does not run inside.
  const driver = join(root, `generate-${write ? 'write' : 'dry'}-${against === 'database' ? 'live' : shadowDatabaseUrl ? 'server' : cold ? 'pglite-cold' : 'pglite'}.js`);
  writeFileSync(driver, script);
  return {
    command: process.execPath,
    args: FROM_SOURCES ? ['-r', join(WORKSPACE_ROOT, 'node_modules/@swc-node/register'), driver] : [driver],
  };
}

function expectOutput(pattern) {
  return (result, label) => {
    if (!pattern.test(result.stdout + result.stderr)) {
      throw new Error(`${label} (exit ${result.exitCode}) printed no ${pattern}:\n${(result.stderr || result.stdout).slice(-2000)}`);
    }
  };
}

const builtSkipped = builtCliUnavailable();
const FROM_SOURCES = flags.from === 'sources' || builtSkipped !== undefined;
const COMMANDS = join(WORKSPACE_ROOT, FROM_SOURCES ? 'packages/commands/src' : 'dist/packages/commands/src');
const EXTENSION = FROM_SOURCES ? '.ts' : '.js';

const CREATES = new RegExp(`\\+ table e${n}\\b`);
const rows = [];
const ratios = [];
const notes = [
  `N = ${n} entities, medians of ${runs} runs, whole-process wall time; in each phase the tools take turns, run by run.`,
  FROM_SOURCES
    ? `ours = packages/commands/src/generate.ts via @swc-node/register (what the migration generator calls; from the sources${builtSkipped ? ` because ${builtSkipped}` : ''}, which adds about 0.4 s of transpiling our own code).`
    : 'ours = dist/packages/commands/src/generate.js (npm run build: what the migration generator of the published package calls).',
  'Shadow database: in-memory PGlite (ours), or a temporary database on the server (ours-server).',
  'TypeORM = typeorm-ts-node-commonjs migration:generate --dryrun against the live database.',
];
const project = makeScratchProject('autogenerate');
const database = await createDatabase();
try {
  writeEntityProject(project.root);
  const options = { cwd: project.root, env: { ...process.env, DATABASE_URL: database.url } };
  const oursVariants = [
    ['ours', 'ours (PGlite shadow, saved replay)', undefined, false],
    ['ours-cold', 'ours (PGlite shadow, nothing saved)', undefined, true],
    ['ours-server', 'ours (server shadow)', serverAdminUrl(), false],
  ].filter(([tool]) => only.has(tool));
  const dryRun = typeormCli(['migration:generate', '-d', 'src/data-source.ts', '--dr', 'migrations/Bench']);
  // One phase: every tool once per run, runs alternated, so that a machine growing slower or faster during the
  // benchmark weighs on every tool alike. `--against=database` (ours-live) makes TypeORM's own comparison, on the
  // same database state.
  const timePhase = async (phase, ours, theirs) => {
    const name = phase === 'empty' ? 'from empty' : 'in sync';
    const contenders = oursVariants.map(([tool, label, shadowDatabaseUrl, cold]) => ({
      tool,
      label: `${label}: ${name}`,
      invocation: ourGenerate(project.root, { write: false, shadowDatabaseUrl, cold }),
      expected: ours,
    }));
    if (only.has('typeorm')) {
      contenders.push({ tool: 'typeorm', label: `TypeORM migration:generate --dryrun: ${phase === 'empty' ? 'empty database' : 'in sync'}`, invocation: dryRun, expected: theirs });
      if (only.has('ours-live')) {
        contenders.push({
          tool: 'ours-live',
          label: `ours --against=database: ${phase === 'empty' ? 'empty database' : 'in sync'}`,
          invocation: ourGenerate(project.root, { write: false, against: 'database' }),
          expected: ours,
        });
      }
    }
    const measured = new Map(contenders.map(({ tool }) => [tool, []]));
    for (let run = 0; run < runs; run += 1) {
      for (const { tool, label, invocation, expected } of contenders) {
        const result = await measure(invocation.command, invocation.args, options);
        expectOutput(expected)(result, label);
        measured.get(tool).push(result);
      }
    }
    for (const { tool, label } of contenders) {
      results[`${tool}-${phase}`] = summarize(label, measured.get(tool));
      rows.push(results[`${tool}-${phase}`]);
    }
  };
  const results = {};
  await timePhase('empty', CREATES, new RegExp(`CREATE TABLE "e${n}"`));
  if (oursVariants.length > 0) {
    process.stderr.write(`writing the initial migration of ${n} tables\n`);
    const first = await measure(...Object.values(ourGenerate(project.root, { write: true, shadowDatabaseUrl: serverAdminUrl() })), options);
    expectOutput(CREATES)(first, 'initial migration');
  }
  if (only.has('typeorm')) {
    const sync = typeormCli(['schema:sync', '-d', 'src/data-source.ts']);
    await measure(sync.command, sync.args, options);
    await withClient(database.url, async (client) => {
      const { rows: found } = await client.query(`SELECT count(*)::int AS tables FROM pg_tables WHERE schemaname = 'public'`);
      if (found[0].tables < n) throw new Error(`schema:sync built ${found[0].tables} tables, not ${n}.`);
    });
  }
  await timePhase('sync', /No changes in schema detected\./, /No changes in database schema were found/);
  for (const tool of ['ours', 'ours-cold', 'ours-server', 'ours-live']) {
    for (const phase of ['empty', 'sync']) {
      const theirs = results[`typeorm-${phase}`];
      const mine = results[`${tool}-${phase}`];
      if (theirs && mine) {
        ratios.push(ratio(`TypeORM / ${tool} (${phase === 'empty' ? 'from empty' : 'in sync'})`, theirs.seconds / mine.seconds, '>=', 1));
      }
    }
  }
  printReport({ bench: 'autogenerate', rows, ratios, notes });
} finally {
  await database.drop();
  project.remove();
}
