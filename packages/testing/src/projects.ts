import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { migrationFileName, renderMigrationFile, type MigrationFileSpec } from '../../core/src/migration-file';
import type { ProjectContext } from '../../commands/src/context';
import { linkNodeModules, typeormLineUnderTest, type TypeormLine } from './typeorm-legacy-project';

/**
 * Throw-away projects for tests: a workspace folder (with the repository's `node_modules` linked in, so the data
 * source finds `typeorm` exactly as a user's project does, in the TypeORM line under test: `NTM_TYPEORM_LINE`), a
 * TypeORM data source, entities, and migration files rendered by core's own renderer.
 */
export const REPOSITORY_ROOT = resolve(__dirname, '../../..');

/** A data source with no connection settings of its own: `DATABASE_URL` or the embedded database decide. */
export const PLAIN_DATA_SOURCE = `import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { User } from './entities/user.entity';

export default new DataSource({ type: 'postgres', entities: [User] });
`;

export const USER_ENTITY = `import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column()
  name!: string;
}
`;

export type TestMigration = Omit<MigrationFileSpec, 'createDate'>;

export interface TestProjectOptions {
  readonly migrations?: readonly TestMigration[];
  /** Text of `src/data-source.ts`; default {@link PLAIN_DATA_SOURCE}. */
  readonly dataSource?: string;
  /** Extra files, path relative to the project root -> text; default `src/entities/user.entity.ts`. */
  readonly files?: Readonly<Record<string, string>>;
  readonly projectName?: string;
  /** The TypeORM the project's files resolve; default the line under test (`NTM_TYPEORM_LINE`, else 1.x). */
  readonly typeorm?: TypeormLine;
}

export interface TestProject {
  readonly workspaceRoot: string;
  readonly projectRoot: string;
  readonly dataSourceFile: string;
  readonly migrationsDir: string;
  /** The command input for this project, with `env` as the environment (`DATABASE_URL`...). */
  context(env?: Record<string, string | undefined>): ProjectContext;
  /** Path of the file of a revision written by this fixture. */
  fileOf(revision: string): string;
  /** Writes (or rewrites) a migration file; returns its path. */
  writeMigration(migration: TestMigration): string;
  remove(): void;
}

export function writeTestProject(options: TestProjectOptions = {}): TestProject {
  const workspaceRoot = mkdtempSync(join(tmpdir(), 'ntm-project-'));
  linkNodeModules(workspaceRoot, options.typeorm ?? typeormLineUnderTest());
  writeFileSync(join(workspaceRoot, 'nx.json'), '{}\n');
  const projectName = options.projectName ?? 'backend';
  const projectRoot = join(workspaceRoot, 'apps', projectName);
  const migrationsDir = join(projectRoot, 'migrations', 'versions');
  const dataSourceFile = join(projectRoot, 'src', 'data-source.ts');
  mkdirSync(migrationsDir, { recursive: true });
  const files = { 'src/entities/user.entity.ts': USER_ENTITY, ...options.files, 'src/data-source.ts': options.dataSource ?? PLAIN_DATA_SOURCE };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(projectRoot, path)), { recursive: true });
    writeFileSync(join(projectRoot, path), text);
  }
  const written = new Map<string, string>();
  let created = 0;
  const writeMigration = (migration: TestMigration) => {
    const file = written.get(migration.revision) ?? join(migrationsDir, migrationFileName(migration.revision, migration.message));
    written.set(migration.revision, file);
    writeFileSync(file, renderMigrationFile({ ...migration, createDate: new Date(Date.UTC(2026, 10, 25, 10, 0, created++)) }));
    return file;
  };
  for (const migration of options.migrations ?? []) writeMigration(migration);
  return {
    workspaceRoot,
    projectRoot,
    dataSourceFile,
    migrationsDir,
    context: (env = {}) => ({ workspaceRoot, projectRoot, projectName: basename(projectRoot), dataSourceFile, migrationsDir, env }),
    fileOf(revision) {
      const file = written.get(revision);
      if (!file) throw new Error(`The test project has no revision ${revision}.`);
      return file;
    },
    writeMigration,
    remove: () => rmSync(workspaceRoot, { recursive: true, force: true }),
  };
}

/** Revision id of the `i`-th migration of a chain: 12 hex characters, stable. */
export function revisionOf(i: number, seed = 'linear'): string {
  return createHash('sha256').update(`${seed} ${i}`).digest('hex').slice(0, 12);
}

/** A linear chain of `count` migrations; migration `i` creates table `t_i` with an index (the benchmark workload). */
export function linearMigrations(count: number, seed = 'linear'): TestMigration[] {
  return Array.from({ length: count }, (_, index) => {
    const i = index + 1;
    return {
      revision: revisionOf(i, seed),
      downRevisions: i === 1 ? [] : [revisionOf(i - 1, seed)],
      message: `Create t_${i}`,
      up: [
        `CREATE TABLE t_${i} (id serial PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now())`,
        `CREATE INDEX t_${i}_name_idx ON t_${i} (name)`,
      ],
      down: [`DROP TABLE t_${i}`],
    };
  });
}
