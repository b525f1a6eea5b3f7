import { existsSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { RevisionGraph } from '../../core/src/graph';
import { appliedRevisions } from '../../core/src/plan';
import { displayPath, readMigrationDirectory, type MigrationFile, type ReadDirectoryOptions } from '../../adapters/src/fs/migration-directory';
import { isLocalDatabase } from '../../adapters/src/typeorm/connection';
import {
  chooseDatabase,
  loadDataSource,
  openDatabase,
  type DatabaseTarget,
  type OpenDatabase,
} from '../../adapters/src/typeorm/data-source';
import { PostgresVersionStore, versionTables, type VersionTables } from '../../adapters/src/typeorm/version-store';
import { CodedError } from '../../core/src/errors';
import type { MoveTargetFactory } from './move';
import type { Reporter } from './reporter';
import type { Route } from './route';

/** The input of every command: which project, where its files are, and the environment (`DATABASE_URL`...). */
export interface ProjectContext {
  readonly workspaceRoot: string;
  readonly projectRoot: string;
  readonly projectName: string;
  readonly dataSourceFile: string;
  readonly migrationsDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** How the user came in (an Nx target or generator, a CLI verb): messages name the commands on that route. */
  readonly route?: Route;
  /** Opens the database the moving commands work on; default PostgreSQL's (`postgres-target.ts`). */
  readonly openTarget?: MoveTargetFactory;
}

/** The project's migration files and the revision graph they form. Reads text only; nothing is transpiled. */
export interface ProjectMigrations {
  readonly files: readonly MigrationFile[];
  readonly byRevision: ReadonlyMap<string, MigrationFile>;
  readonly graph: RevisionGraph;
}

/** `options.missing: 'empty'` for the commands that create the migrations folder; otherwise its absence is an error. */
export function readProjectMigrations(context: ProjectContext, options: ReadDirectoryOptions = {}): ProjectMigrations {
  const files = readMigrationDirectory(context.migrationsDir, options);
  const byRevision = new Map(files.map((file) => [file.revision, file]));
  const graph = RevisionGraph.build(() =>
    files.map((file) => ({
      id: file.revision,
      downRevisions: file.downRevisions,
      dependsOn: file.dependsOn,
      branchLabels: file.branchLabels,
      message: file.message,
    })),
  );
  return { files, byRevision, graph };
}

/** A path for messages: relative to the workspace root. */
export function shownPath(context: ProjectContext, file: string): string {
  return displayPath(file, context.workspaceRoot);
}

let cachedToolVersion: string | undefined;

/** This package's version, recorded in the history table. */
export function toolVersion(): string {
  if (cachedToolVersion) return cachedToolVersion;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'nx-typeorm-migrations' && parsed.version) return (cachedToolVersion = parsed.version);
    }
    if (dirname(dir) === dir) return (cachedToolVersion = '0.0.0');
  }
}

/** Who runs the migrations, for the history table: OS user@host. */
export function appliedBy(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env['USER'] ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}

/** A connected project database: the session, the version store on it, and whether it is on this machine. */
export interface ProjectDatabase {
  readonly open: OpenDatabase;
  readonly store: PostgresVersionStore;
  readonly tables: VersionTables;
  readonly local: boolean;
  readonly target: DatabaseTarget;
  close(): Promise<void>;
}

/** The data source loaded and the database chosen (and announced), not connected yet. */
export interface LocatedDatabase {
  readonly target: DatabaseTarget;
  /** Connects, waiting up to `timeoutMs` while the database or the embedded folder is busy. */
  connect(timeoutMs: number): Promise<ProjectDatabase>;
}

export async function locateProjectDatabase(context: ProjectContext, reporter: Reporter): Promise<LocatedDatabase> {
  const dataSource = await loadDataSource(context.dataSourceFile);
  const input = {
    dataSource,
    dataSourceFile: context.dataSourceFile,
    env: context.env,
    workspaceRoot: context.workspaceRoot,
    projectName: context.projectName,
  };
  const target = chooseDatabase(input);
  reporter.info(target.description);
  return {
    target,
    async connect(timeoutMs) {
      const open = await openDatabase(input, target, { timeoutMs });
      const tables = versionTables((dataSource.options as { schema?: string }).schema);
      return {
        open,
        store: new PostgresVersionStore(open.queryRunner, tables),
        tables,
        local: isLocalDatabase(target.source),
        target,
        close: () => open.close(),
      };
    },
  };
}

/** Loads the data source, says which database is targeted, and connects (waiting up to `timeoutMs` if busy). */
export async function connectProject(
  context: ProjectContext,
  reporter: Reporter,
  timeoutMs: number,
): Promise<ProjectDatabase> {
  return (await locateProjectDatabase(context, reporter)).connect(timeoutMs);
}

/** An applied migration whose file changed since it ran (its checksum differs from the recorded one). */
export interface EditedMigration {
  readonly revision: string;
  readonly file: string;
}

/** Applied migrations whose file changed since they ran (their checksum differs from the recorded one). */
export class AppliedMigrationEditedError extends CodedError {
  readonly code = 'APPLIED_MIGRATION_EDITED';

  /** @param heads the database's current heads */
  constructor(
    readonly edited: readonly EditedMigration[],
    readonly heads: readonly string[],
  ) {
    super(`applied migrations were edited: ${edited.map((entry) => entry.revision).join(', ')}`);
  }
}

/** Applied revisions whose file no longer has the checksum recorded when it was applied or stamped. */
export function editedMigrations(
  migrations: ProjectMigrations,
  heads: readonly string[],
  recorded: ReadonlyMap<string, string | null>,
): EditedMigration[] {
  const edited: EditedMigration[] = [];
  for (const revision of appliedRevisions(migrations.graph, heads)) {
    const checksum = recorded.get(revision);
    const file = migrations.byRevision.get(revision);
    if (file && checksum && checksum !== file.checksum) edited.push({ revision, file: file.file });
  }
  return edited;
}
