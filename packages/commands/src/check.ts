import type { DataSource, QueryRunner } from 'typeorm';
import {
  loadMigrationFunctions,
  type MigrationFile,
  type MigrationFunction,
} from '../../adapters/src/fs/migration-directory';
import { filesChangedSince } from '../../adapters/src/git/git-history';
import { lintMigration } from '../../adapters/src/lint/migration-lint';
import { allowComment, type LintSeverity } from '../../adapters/src/lint/rules';
import { loadDataSource } from '../../adapters/src/typeorm/data-source';
import { connectDataSourceTo, diffSchema } from '../../adapters/src/typeorm/schema-diff';
import { fingerprintDifference, schemaFingerprint } from '../../adapters/src/typeorm/schema-fingerprint';
import { startShadowDatabase } from '../../adapters/src/typeorm/shadow';
import {
  connectProject,
  editedMigrations,
  readProjectMigrations,
  shownPath,
  type ProjectContext,
  type ProjectMigrations,
} from './context';
import { toUserError } from './errors';
import { describeHeads, formatHeadsReport } from './heads-report';
import type { Reporter } from './reporter';

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
  /** Lint only the migration files changed since the merge base with this git ref (e.g. `origin/main`). */
  readonly base?: string;
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
  await checkOnShadow(context, options, ordered, add);
  add(await lintNewMigrations(context, options, ordered, lint));
  if (context.env['DATABASE_URL']?.trim())
    add(await verifyAppliedChecksums(context, migrations, reporter, (options.lockTimeoutSeconds ?? 60) * 1000));
  return result();
}

function indent(text: string): string {
  return text.replace(/\n/g, '\n    ');
}

/** Stairway and entity comparison on one shadow database. */
async function checkOnShadow(
  context: ProjectContext,
  options: CheckOptions,
  ordered: readonly MigrationFile[],
  add: (line: CheckLine) => void,
): Promise<void> {
  const dataSource = await loadDataSource(context.dataSourceFile);
  const shadow = await startShadowDatabase(
    options.shadowDatabaseUrl ?? (context.env['SHADOW_DATABASE_URL'] || undefined),
  );
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
      const stairway = await runStairway(queryRunner, ordered, context, async () => {
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

/**
 * Each migration in order: up, down (the schema must be exactly what it was), up again (the same schema as the
 * first time); at head `atHead` runs; then everything down to base, which must leave nothing behind.
 */
async function runStairway(
  queryRunner: QueryRunner,
  ordered: readonly MigrationFile[],
  context: ProjectContext,
  atHead: () => Promise<void>,
): Promise<{ passed: boolean; detail: string }> {
  const runStep = (migration: MigrationFile, direction: 'up' | 'down') =>
    runStairwayStep(queryRunner, migration, direction, context);
  const empty = await schemaFingerprint(queryRunner);
  let before = empty;
  try {
    for (const migration of ordered) {
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
    await atHead();
    for (const migration of [...ordered].reverse()) await runStep(migration, 'down');
  } catch (error) {
    return { passed: false, detail: (error as Error).message };
  }
  const leftover = fingerprintDifference(empty, await schemaFingerprint(queryRunner));
  if (leftover.added.length || leftover.removed.length) {
    return { passed: false, detail: `downgrading to base ${describeDifference(leftover)}` };
  }
  return {
    passed: true,
    detail: `${ordered.length} migration${ordered.length === 1 ? '' : 's'} upgrade, downgrade and upgrade again; base leaves nothing behind`,
  };
}

function describeDifference(difference: { added: string[]; removed: string[] }): string {
  const parts = [
    ...(difference.added.length ? [`leaves ${difference.added.slice(0, 3).join('; ')}`] : []),
    ...(difference.removed.length ? [`loses ${difference.removed.slice(0, 3).join('; ')}`] : []),
  ];
  return `${parts.join(' and ')}; make down undo exactly what up does`;
}

const loaded = new Map<string, { up: MigrationFunction; down: MigrationFunction }>();

/**
 * One migration in one direction, in its own transaction unless it opts out; the error names the revision, and a
 * file it names is shown from the workspace root like every other path of the report.
 */
async function runStairwayStep(
  queryRunner: QueryRunner,
  migration: MigrationFile,
  direction: 'up' | 'down',
  context: ProjectContext,
): Promise<void> {
  const key = `${migration.file}\0${migration.checksum}`;
  let functions = loaded.get(key);
  if (!functions) {
    try {
      functions = await loadMigrationFunctions(migration);
    } catch (error) {
      throw new Error(`${direction} of ${migration.revision} failed: ${toUserError(error, context).message}`);
    }
    loaded.set(key, functions);
  }
  if (migration.transactional) await queryRunner.startTransaction();
  try {
    await functions[direction](queryRunner);
    if (migration.transactional) await queryRunner.commitTransaction();
  } catch (error) {
    if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction();
    throw new Error(`${direction} of ${migration.revision} failed: ${(error as Error).message}`);
  }
}

async function lintNewMigrations(
  context: ProjectContext,
  options: CheckOptions,
  migrations: readonly MigrationFile[],
  annotations: LintAnnotation[],
): Promise<CheckLine> {
  let linted = migrations;
  let scope = 'all migrations';
  if (options.base !== undefined) {
    const changed = filesChangedSince(context.workspaceRoot, options.base);
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
  for (const migration of linted) {
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
  const database = await connectProject(context, reporter, timeoutMs);
  const where = database.target.description.replace(/^Database: /, '');
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
