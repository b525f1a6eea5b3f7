import type { DataSource, QueryRunner } from 'typeorm';
import { appliedHeads } from '../../core/src/plan';
import type { RevisionGraph } from '../../core/src/graph';
import {
  loadMigrationFunctions,
  type MigrationFile,
  type MigrationFunctions,
} from '../../adapters/src/fs/migration-directory';
import { InMemoryVersionStore } from '../../adapters/src/typeorm/version-store';
import { filesChangedSince } from '../../adapters/src/git/git-history';
import { lintMigration } from '../../adapters/src/lint/migration-lint';
import { allowComment, type LintSeverity } from '../../adapters/src/lint/rules';
import { loadDataSource } from '../../adapters/src/typeorm/data-source';
import { connectDataSourceTo, diffSchema } from '../../adapters/src/typeorm/schema-diff';
import { fingerprintDifference, schemaFingerprint } from '../../adapters/src/typeorm/schema-fingerprint';
import { startShadowDatabase, type ShadowDatabase } from '../../adapters/src/typeorm/shadow';
import { readSavedReplay, replayKeys, saveReplay } from '../../adapters/src/typeorm/autogenerate/saved-replay';
import {
  editedMigrations,
  readProjectMigrations,
  shownPath,
  toolVersion,
  type ProjectContext,
  type ProjectMigrations,
} from './context';
import { toUserError } from './errors';
import { describeHeads, formatHeadsReport } from './heads-report';
import { applySteps, type MigrationSource, type StepTarget } from './move';
import { targetFactoryOf } from './postgres-target';
import { Progress } from './progress';
import type { Reporter } from './reporter';
import { DEFAULT_LOCK_TIMEOUT_SECONDS } from './options';

/**
 * `migrate-check`, the CI gate: needs no live database (the migrations run on a shadow PGlite, or on a temporary
 * database of `shadowDatabaseUrl`). Each check is one line, passed or failed; the command fails when one does.
 *
 * 1. one head; 2. a sound revision graph; 3. stairway: each migration, in order, upgrades, downgrades back to the
 * exact schema it started from, and upgrades again, and downgrading everything leaves nothing behind; 4. entities
 * match migrations (autogenerate would find nothing); 5. lint of risky SQL in the new migrations (all of them, or
 * with `base` those changed since the merge base with that git ref); 6. with `DATABASE_URL` set, no applied
 * migration was edited (checksums recorded in the history table).
 */

export interface CheckOptions {
  /**
   * The migration files changed since the merge base with this git ref (e.g. `origin/main`) are linted and walk
   * the stairway; the others are replayed forward once (unless `full`).
   */
  readonly base?: string;
  /** The stairway walks every migration, even with `base`. */
  readonly full?: boolean;
  /** A PostgreSQL server on which the shadow database is created; default `SHADOW_DATABASE_URL`, else PGlite. */
  readonly shadowDatabaseUrl?: string;
  /** Seconds to wait for a busy database when `DATABASE_URL` is checked (default 60). */
  readonly lockTimeoutSeconds?: number;
  /** Tables compared with the entities (patterns, as autogenerate's `include`); default all. */
  readonly include?: readonly string[];
  /** Tables left out of the comparison with the entities (patterns, as autogenerate's `exclude`). */
  readonly exclude?: readonly string[];
}

export interface CheckLine {
  readonly passed: boolean;
  /** `one head`, `stairway`, ... */
  readonly name: string;
  /** One line of outcome; further lines (the heads report, lint findings) are indented under it. */
  readonly detail: string;
}

/** One lint finding as the `--json` document carries it, for CI annotations (`file:line:column`). */
export interface LintAnnotation {
  /** Relative to the workspace root. */
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  readonly rule: string;
  readonly severity: LintSeverity;
  readonly title: string;
  readonly subject: string;
  readonly reason: string;
  readonly saferForm: string;
  /** The comment that accepts the finding after review; absent when none can (the file does not parse). */
  readonly allowComment?: string;
}

export interface CheckResult {
  readonly success: boolean;
  readonly checks: readonly CheckLine[];
  /** Every lint finding, errors and warnings, in file order. */
  readonly lint: readonly LintAnnotation[];
}

export function formatCheckLine(line: CheckLine): string {
  return `${line.passed ? '✔' : '✖'} ${line.name}: ${line.detail}`;
}

export async function check(context: ProjectContext, options: CheckOptions, reporter: Reporter): Promise<CheckResult> {
  const checks: CheckLine[] = [];
  const lint: LintAnnotation[] = [];
  const add = (line: CheckLine): void => {
    checks.push(line);
    reporter.info(formatCheckLine(line));
  };
  const result = (): CheckResult => ({ success: checks.every((line) => line.passed), checks, lint });

  let migrations: ProjectMigrations;
  try {
    migrations = readProjectMigrations(context);
  } catch (error) {
    add({ passed: false, name: 'revision graph', detail: toUserError(error, context).message });
    return result();
  }
  const { graph, files } = migrations;
  const heads = graph.heads();
  add(
    heads.length <= 1
      ? { passed: true, name: 'one head', detail: heads[0] ?? 'no migrations yet' }
      : {
          passed: false,
          name: 'one head',
          detail: indent(
            formatHeadsReport(context.projectName, describeHeads({ ...context, graph, migrations: files }), context.route),
          ),
        },
  );
  add({
    passed: true,
    name: 'revision graph',
    detail: `${graph.size} revision${graph.size === 1 ? '' : 's'}, every down revision and dependency present, no cycle`,
  });
  const ordered = graph.topologicalOrder().map((id) => migrations.byRevision.get(id)!);
  const changed = options.base !== undefined ? filesChangedSince(context.workspaceRoot, options.base) : undefined;
  const stairwayScope: StairwayScope | undefined =
    options.base !== undefined && changed && !options.full
      ? { base: options.base, changed: new Set(ordered.filter((file) => changed.has(file.file)).map((file) => file.revision)) }
      : undefined;
  await checkOnShadow(context, options, graph, ordered, stairwayScope, add, reporter);
  add(await lintNewMigrations(context, options, ordered, changed, lint, reporter));
  if (context.env['DATABASE_URL']?.trim())
    add(await verifyAppliedChecksums(context, migrations, reporter, (options.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS) * 1000));
  return result();
}

function indent(text: string): string {
  return text.replace(/\n/g, '\n    ');
}

/** Stairway and entity comparison on one shadow database. */
async function checkOnShadow(
  context: ProjectContext,
  options: CheckOptions,
  graph: RevisionGraph,
  ordered: readonly MigrationFile[],
  scope: StairwayScope | undefined,
  add: (line: CheckLine) => void,
  reporter: Reporter,
): Promise<void> {
  const dataSource = await loadDataSource(context.dataSourceFile);
  const serverUrl = options.shadowDatabaseUrl ?? (context.env['SHADOW_DATABASE_URL'] || undefined);
  // With --base, the migrations before the first changed one replay the same way on every run: an embedded shadow
  // saved after them (keyed by their revisions and checksums) spares replaying them again, or all but the newest.
  const from = scope ? firstWalkedIndex(ordered, scope) : 0;
  const savedFolder = `${context.migrationsDir}\0migrate-check`;
  const keys = scope && !serverUrl && from > 0 ? replayKeys(ordered.slice(0, from), `${toolVersion()}\n${context.dataSourceFile}`) : [];
  const saved = readSavedReplay(savedFolder, keys);
  let shadow: ShadowDatabase;
  try {
    shadow = await startShadowDatabase(serverUrl, saved?.dump());
  } catch (error) {
    if (!saved) throw error;
    shadow = await startShadowDatabase(serverUrl);
  }
  const restored = shadow.dump !== undefined && saved ? saved.count : 0;
  let connected: DataSource | undefined;
  try {
    connected = await connectDataSourceTo(dataSource, shadow.url);
    const queryRunner = connected.createQueryRunner();
    const atHead = connected;
    try {
      let entities: CheckLine = {
        passed: false,
        name: 'entities match migrations',
        detail: 'not checked: the stairway failed',
      };
      const prefix: StairwayPrefix = {
        restored,
        afterReplay:
          keys.length > 0 && restored < from && shadow.dump
            ? async () => {
                saveReplay(savedFolder, keys[from - 1], await shadow.dump!());
              }
            : undefined,
      };
      const stairway = await runStairway(queryRunner, ordered, graph, context, scope, prefix, reporter, async () => {
        entities = await compareEntities(atHead, context.projectName, options);
      });
      add({ name: 'stairway', ...stairway });
      add(entities);
    } finally {
      await queryRunner.release();
    }
  } finally {
    if (connected?.isInitialized) await connected.destroy();
    await shadow.dispose();
  }
}

async function compareEntities(connected: DataSource, projectName: string, options: CheckOptions): Promise<CheckLine> {
  const name = 'entities match migrations';
  const difference = await diffSchema(connected, { filter: { include: options.include, exclude: options.exclude } });
  if (difference.up.length === 0) return { passed: true, name, detail: 'autogenerate finds no change' };
  return {
    passed: false,
    name,
    detail:
      `the entities differ from what the migrations build (${difference.up.length} statement(s), first: ` +
      `${difference.up[0].sql}); run nx g nx-typeorm-migrations:migration --project=${projectName} -m "..."`,
  };
}

/** With `--base`: the revisions whose files changed since that ref walk the stairway; the rest replay forward. */
interface StairwayScope {
  readonly base: string;
  readonly changed: ReadonlySet<string>;
}

/** The migrations before the first changed one: the first `restored` are in the shadow already; saved once replayed. */
interface StairwayPrefix {
  readonly restored: number;
  readonly afterReplay?: () => Promise<void>;
}

function firstWalkedIndex(ordered: readonly MigrationFile[], scope: StairwayScope | undefined): number {
  const index = scope ? ordered.findIndex((migration) => scope.changed.has(migration.revision)) : 0;
  return index < 0 ? ordered.length : index;
}

/**
 * Each migration in order: up, down (the schema must be exactly what it was), up again (the same schema as the
 * first time); at head `atHead` runs; then everything down to base, which must leave nothing behind.
 *
 * With a `scope` (`--base`), only the changed migrations walk the stairway: the ones before the first changed one
 * are replayed forward once (they passed this gate when they were added), the unchanged ones after it run up once
 * in their place, and at the end everything from the first changed migration is downgraded, which must give back
 * exactly the schema from before it. A thousand-migration history then costs one forward replay, not three.
 */
async function runStairway(
  queryRunner: QueryRunner,
  ordered: readonly MigrationFile[],
  graph: RevisionGraph,
  context: ProjectContext,
  scope: StairwayScope | undefined,
  prefix: StairwayPrefix,
  reporter: Reporter,
  atHead: () => Promise<void>,
): Promise<{ passed: boolean; detail: string }> {
  const runner = new StairwayRunner(queryRunner, ordered, graph, context);
  runner.assumeApplied(ordered.slice(0, prefix.restored));
  const runStep = (migration: MigrationFile, direction: 'up' | 'down') => runner.step(migration, direction);
  const walks = (migration: MigrationFile) => !scope || scope.changed.has(migration.revision);
  const from = firstWalkedIndex(ordered, scope);
  const replay = new Progress(reporter.progress, 'shadow replay', from);
  const progress = new Progress(reporter.progress, 'stairway', ordered.length);
  let start: string[] = [];
  try {
    for (let index = prefix.restored; index < from; index++) {
      replay.update(index + 1, ordered[index].revision);
      await runStep(ordered[index], 'up');
    }
    replay.finish();
    await prefix.afterReplay?.();
    start = await schemaFingerprint(queryRunner);
    let before: string[] | undefined = start;
    for (let index = from; index < ordered.length; index++) {
      const migration = ordered[index];
      progress.update(index + 1, migration.revision);
      if (!walks(migration)) {
        await runStep(migration, 'up');
        before = undefined;
        continue;
      }
      before ??= await schemaFingerprint(queryRunner);
      await runStep(migration, 'up');
      const afterUp = await schemaFingerprint(queryRunner);
      await runStep(migration, 'down');
      const leftover = fingerprintDifference(before, await schemaFingerprint(queryRunner));
      if (leftover.added.length || leftover.removed.length) {
        return { passed: false, detail: `down of ${migration.revision} ${describeDifference(leftover)}` };
      }
      await runStep(migration, 'up');
      const again = fingerprintDifference(afterUp, await schemaFingerprint(queryRunner));
      if (again.added.length || again.removed.length) {
        return { passed: false, detail: `up of ${migration.revision} run again ${describeDifference(again)}` };
      }
      before = afterUp;
    }
    progress.finish();
    await atHead();
    const downgraded = ordered.slice(from).reverse();
    const downProgress = new Progress(reporter.progress, 'stairway down', downgraded.length);
    for (const [index, migration] of downgraded.entries()) {
      downProgress.update(index + 1, migration.revision);
      await runStep(migration, 'down');
    }
    downProgress.finish();
  } catch (error) {
    replay.finish();
    progress.finish();
    return { passed: false, detail: (error as Error).message };
  }
  const leftover = fingerprintDifference(start, await schemaFingerprint(queryRunner));
  if (leftover.added.length || leftover.removed.length) {
    const where = from === 0 ? 'downgrading to base' : `downgrading to ${ordered[from - 1].revision}`;
    return { passed: false, detail: `${where} ${describeDifference(leftover)}` };
  }
  const count = (n: number) => `${n} migration${n === 1 ? '' : 's'}`;
  if (!scope) {
    return {
      passed: true,
      detail: `${count(ordered.length)} upgrade, downgrade and upgrade again; base leaves nothing behind`,
    };
  }
  const walked = ordered.filter(walks).length;
  const replayed = ordered.length - walked;
  if (walked === 0) {
    return {
      passed: true,
      detail: `no migration changed since ${scope.base}; ${count(replayed)} replayed forward (--full walks them all)`,
    };
  }
  return {
    passed: true,
    detail:
      `${count(walked)} changed since ${scope.base} upgrade, downgrade and upgrade again, ${count(replayed)} ` +
      `replayed forward${prefix.restored ? ` (${prefix.restored} of them from the saved shadow)` : ''}; ` +
      `downgrading from ${ordered[from].revision} gives back the schema before it (--full walks them all)`,
  };
}

function describeDifference(difference: { added: string[]; removed: string[] }): string {
  const parts = [
    ...(difference.added.length ? [`leaves ${difference.added.slice(0, 3).join('; ')}`] : []),
    ...(difference.removed.length ? [`loses ${difference.removed.slice(0, 3).join('; ')}`] : []),
  ];
  return `${parts.join(' and ')}; make down undo exactly what up does`;
}

const loaded = new Map<string, MigrationFunctions>();

/**
 * The stairway's steps run where every move runs, through `applySteps`: in a transaction unless the file opts out,
 * with the file's own `lockTimeout`/`statementTimeout`. The shadow keeps its version rows in memory (its schema is
 * compared with the entities, and nothing reads its version table), so a step costs no more round trips than its
 * transaction and its migration's own statements.
 */
class StairwayRunner {
  private readonly source: MigrationSource;
  private readonly target: StepTarget;
  private readonly applied = new Set<string>();
  private heads: readonly string[] = [];
  private ready = false;

  constructor(
    queryRunner: QueryRunner,
    ordered: readonly MigrationFile[],
    private readonly graph: RevisionGraph,
    private readonly context: ProjectContext,
  ) {
    const byRevision = new Map(ordered.map((migration) => [migration.revision, migration]));
    this.source = { files: ordered, byRevision, graph, load: (migration) => loaded.get(loadKey(migration))! };
    this.target = { session: queryRunner, store: new InMemoryVersionStore() };
  }

  /** The migrations already in the shadow (restored from a saved one). */
  assumeApplied(migrations: readonly MigrationFile[]): void {
    for (const migration of migrations) this.applied.add(migration.revision);
    this.heads = appliedHeads(this.graph, this.applied);
  }

  /** One migration in one direction; the error names the revision and the direction, and a file from the workspace root. */
  async step(migration: MigrationFile, direction: 'up' | 'down'): Promise<void> {
    const key = loadKey(migration);
    if (!loaded.has(key)) {
      try {
        loaded.set(key, await loadMigrationFunctions(migration));
      } catch (error) {
        throw new Error(`${direction} of ${migration.revision} failed: ${toUserError(error, this.context).message}`);
      }
    }
    if (direction === 'up') this.applied.add(migration.revision);
    else this.applied.delete(migration.revision);
    const headsAfter = appliedHeads(this.graph, this.applied);
    const step = { direction, revision: migration.revision, headsBefore: this.heads, headsAfter };
    if (!this.ready) {
      await this.target.store.ensureTables();
      this.ready = true;
    }
    const result = await applySteps(this.target, this.source, [step], { joinCommits: false });
    if (result.failure) {
      const cause = result.failure.cause as { message?: unknown } | undefined;
      throw new Error(`${direction} of ${migration.revision} failed: ${String(cause?.message ?? cause)}`);
    }
    this.heads = headsAfter;
  }
}

function loadKey(migration: MigrationFile): string {
  return `${migration.file}\0${migration.checksum}`;
}

async function lintNewMigrations(
  context: ProjectContext,
  options: CheckOptions,
  migrations: readonly MigrationFile[],
  changed: ReadonlySet<string> | undefined,
  annotations: LintAnnotation[],
  reporter: Reporter,
): Promise<CheckLine> {
  let linted = migrations;
  let scope = 'all migrations';
  if (options.base !== undefined) {
    if (!changed) {
      return {
        passed: false,
        name: 'lint',
        detail: `--base=${options.base} is not a git ref of this repository; fetch it (git fetch origin) or fix the name.`,
      };
    }
    linted = migrations.filter((migration) => changed.has(migration.file));
    scope = `migrations changed since ${options.base}`;
  }
  const progress = new Progress(reporter.progress, 'lint', linted.length);
  for (const [index, migration] of linted.entries()) {
    progress.update(index + 1, migration.revision);
    const result = await lintMigration(migration.text, migration.file, migration.transactional);
    for (const finding of result.findings) {
      annotations.push({
        file: shownPath(context, migration.file),
        line: finding.line,
        ...(finding.column !== undefined ? { column: finding.column } : {}),
        rule: finding.rule.id,
        severity: finding.rule.severity,
        title: finding.rule.title,
        subject: finding.subject,
        reason: finding.rule.reason,
        saferForm: finding.rule.saferForm,
        ...(finding.allowable === false ? {} : { allowComment: allowComment(finding.rule) }),
      });
    }
  }
  progress.finish();
  const errors = annotations.filter((annotation) => annotation.severity === 'error');
  const warnings = annotations.length - errors.length;
  const count = `${linted.length} ${linted.length === 1 ? 'migration' : 'migrations'} (${scope})`;
  const warned = warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : '';
  const listed = annotations.map((annotation) => `\n    ${formatLintAnnotation(annotation)}`).join('');
  return errors.length === 0
    ? { passed: true, name: 'lint', detail: `${count}, no risky SQL${warned}${listed}` }
    : { passed: false, name: 'lint', detail: `${count}, ${errors.length} risky statement(s)${warned}${listed}` };
}

/** `file:line[:column] PG001 title: subject. Why: ... Safer: ... Allow after review: ...`, warnings marked. */
export function formatLintAnnotation(annotation: LintAnnotation): string {
  const where = `${annotation.file}:${annotation.line}${annotation.column !== undefined ? `:${annotation.column}` : ''}`;
  const severity = annotation.severity === 'warning' ? ' (warning)' : '';
  if (!annotation.allowComment) return `${where} ${annotation.rule}${severity} ${annotation.subject}`;
  return (
    `${where} ${annotation.rule}${severity} ${annotation.title}: ${annotation.subject}. Why: ${annotation.reason}. ` +
    `Safer: ${annotation.saferForm}. Allow after review: ${annotation.allowComment}`
  );
}

/** The checksums the history table recorded for the applied revisions, against the files as they are now. */
async function verifyAppliedChecksums(
  context: ProjectContext,
  migrations: ProjectMigrations,
  reporter: Reporter,
  timeoutMs: number,
): Promise<CheckLine> {
  const name = 'applied migrations unchanged';
  const database = await targetFactoryOf(context)(context, reporter, timeoutMs);
  const where = database.description.replace(/^Database: /, '');
  try {
    const heads = await database.store.readHeads();
    if (heads.length === 0) return { passed: true, name, detail: 'nothing applied yet' };
    const unknown = heads.filter((revision) => !migrations.graph.has(revision));
    if (unknown.length) {
      return {
        passed: false,
        name,
        detail: `${where} is at ${unknown.join(', ')}, which no migration file declares; restore the file.`,
      };
    }
    const edited = editedMigrations(migrations, heads, await database.store.recordedChecksums());
    if (edited.length) {
      return {
        passed: false,
        name,
        detail:
          `${edited.map((entry) => `${entry.revision} (${shownPath(context, entry.file)})`).join(', ')} changed ` +
          `after it was applied to ${where}; restore the applied text and put the change in a new migration.`,
      };
    }
    const applied = migrations.graph.ancestors(heads, { inclusive: true }).length;
    return { passed: true, name, detail: `${applied} applied, checksums match` };
  } finally {
    await database.close();
  }
}
