import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, relative, sep } from 'node:path';
import { migrationFileName, newRevisionId, renderMigrationFile } from '../../core/src/migration-file';
import { UserError } from './errors';
import { readMigrationDirectory } from '../../adapters/src/fs/migration-directory';
import { loadDataSource } from '../../adapters/src/typeorm/data-source';
import {
  findTypeormMigrations,
  importedRevisionsOf,
  type TypeormMigrationClass,
} from '../../adapters/src/typeorm/typeorm-history';

/**
 * `import-typeorm`: adopts a project that already has TypeORM class migrations. Each one becomes a revision of one
 * linear chain, in the order TypeORM runs them; the revision imports the original class and delegates `up` and
 * `down` to it, so the reviewed code keeps running unchanged (helper imports included), and records the TypeORM
 * name (`export const typeormName`) that the first `migrate` matches against TypeORM's `migrations` table.
 */

/** A file the import writes. */
export interface ImportedRevisionFile {
  readonly path: string;
  readonly content: string;
  readonly revision: string;
  readonly typeormName: string;
  /** The original migration file the revision delegates to. */
  readonly source: string;
}

export interface TypeormImportPlanInput {
  /** The project's TypeORM migrations, in TypeORM's order (`findTypeormMigrations`). */
  readonly migrations: readonly TypeormMigrationClass[];
  /** Absolute path of the project's migrations directory. */
  readonly migrationsDir: string;
  /** The revision the first imported one revises: the last one imported before, when adding to an import. */
  readonly parentRevision?: string;
  /** Makes revision ids; random 12-hex ids by default. */
  readonly newRevisionId?: () => string;
}

export interface ImportTypeormOptions {
  readonly projectName: string;
  readonly workspaceRoot: string;
  /** Absolute path of the project's data source file. */
  readonly dataSourceFile: string;
  /** Absolute path of the project's migrations directory. */
  readonly migrationsDir: string;
  readonly newRevisionId?: () => string;
}

export interface TypeormImport {
  /** The revision files to write; none when everything was imported before. */
  readonly files: readonly ImportedRevisionFile[];
  /** What was imported and what the user should change next, for the terminal. */
  readonly report: string;
}

/**
 * Reads the project's TypeORM migrations through its data source and plans their revision files. Running it again
 * after TypeORM migrations were added imports only the new ones, on top of the last imported revision.
 */
export async function prepareTypeormImport(options: ImportTypeormOptions): Promise<TypeormImport> {
  const dataSource = await loadDataSource(options.dataSourceFile);
  const migrations = await findTypeormMigrations(dataSource, options.workspaceRoot);
  const shown = (path: string) => relative(options.workspaceRoot, path).split(sep).join('/');
  if (migrations.length === 0) {
    throw new UserError(
      `${shown(options.dataSourceFile)} lists no TypeORM migrations (its \`migrations\` setting matched no class); ` +
        'point it at the migration files (relative globs are read from the workspace root), then import again.',
      { code: 'NO_TYPEORM_MIGRATIONS' },
    );
  }
  // Importing creates the folder.
  const existing = readMigrationDirectory(options.migrationsDir, { missing: 'empty' });
  const imported = importedRevisionsOf(existing);
  imported.forEach((entry, index) => {
    if (migrations[index]?.name !== entry.typeormName) {
      throw new UserError(
        `${shown(options.migrationsDir)} holds a revision imported from ${entry.typeormName}, but TypeORM now runs ` +
          `${migrations[index]?.name ?? 'no migration'} in that place; restore the TypeORM migration or remove the imported revisions, then import again.`,
        { code: 'IMPORT_OUT_OF_ORDER' },
      );
    }
  });
  const parentRevision = imported.at(-1)?.revision;
  const heads = existing
    .filter((file) => !existing.some((other) => other.downRevisions.includes(file.revision)))
    .map((file) => file.revision);
  if (existing.length > 0 && (heads.length !== 1 || heads[0] !== parentRevision)) {
    throw new UserError(
      `${shown(options.migrationsDir)} already holds revisions (head ${heads.join(', ')}) that were not imported from ` +
        'TypeORM; import-typeorm starts a chain in an empty migrations directory or extends its own, so move those out first.',
      { code: 'MIGRATIONS_FOLDER_NOT_EMPTY' },
    );
  }
  const pending = migrations.slice(imported.length);
  if (pending.length === 0) {
    return {
      files: [],
      report: `Nothing to import: all ${migrations.length} TypeORM migrations of ${options.projectName} are revisions already.`,
    };
  }
  const files = planTypeormImport({
    migrations: pending,
    migrationsDir: options.migrationsDir,
    parentRevision,
    newRevisionId: options.newRevisionId,
  });
  const width = Math.max(...files.map((file) => file.typeormName.length));
  const report = [
    `Imported ${files.length} TypeORM migration${files.length === 1 ? '' : 's'} of ${options.projectName} into ${shown(options.migrationsDir)}` +
      (parentRevision ? ` on top of ${parentRevision}:` : ':'),
    ...files.map((file) => `  ${file.typeormName.padEnd(width)}  ->  ${basename(file.path)}`),
    `Head: ${files[files.length - 1].revision}.`,
    `Next: take these migrations out of the \`migrations\` setting of ${shown(options.dataSourceFile)} (e.g. \`migrations: []\`) ` +
      "so that TypeORM's CLI and migrationsRun no longer run them; keep the original files, the revisions import them.",
    `On a database where TypeORM already ran them, the first \`nx run ${options.projectName}:migrate\` recognises them ` +
      "from TypeORM's migrations table and stamps them as applied instead of running them again.",
  ].join('\n');
  return { files, report };
}

/** `import-typeorm`: writes the revision files to disk and returns the report. */
export async function importTypeorm(options: ImportTypeormOptions): Promise<TypeormImport> {
  const result = await prepareTypeormImport(options);
  for (const file of result.files) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.content, { flag: 'wx' });
  }
  return result;
}

/** Identifiers a revision file declares itself; an imported class named like one of them is aliased. */
const REVISION_FILE_NAMES = new Set([
  'QueryRunner',
  'revision',
  'downRevision',
  'message',
  'branchLabels',
  'dependsOn',
  'transactional',
  'typeormName',
  'up',
  'down',
]);

/** The revision files for TypeORM's migrations: one linear chain, the oldest migration its base. */
export function planTypeormImport(input: TypeormImportPlanInput): ImportedRevisionFile[] {
  const makeId = input.newRevisionId ?? newRevisionId;
  let downRevision = input.parentRevision;
  return input.migrations.map((migration) => {
    const revision = makeId();
    const message = messageOf(migration.name, migration.timestamp);
    const content = renderImportedRevision({
      migration,
      revision,
      downRevision,
      message,
      importPath: importPathOf(input.migrationsDir, migration.file),
    });
    downRevision = revision;
    return {
      path: `${input.migrationsDir}${sep}${migrationFileName(revision, message)}`,
      content,
      revision,
      typeormName: migration.name,
      source: migration.file,
    };
  });
}

interface ImportedRevisionSpec {
  readonly migration: TypeormMigrationClass;
  readonly revision: string;
  readonly downRevision: string | undefined;
  readonly message: string;
  readonly importPath: string;
}

/** A revision in the fixed file format whose `up`/`down` run the original TypeORM class. */
export function renderImportedRevision(spec: ImportedRevisionSpec): string {
  const { migration } = spec;
  const text = renderMigrationFile({
    revision: spec.revision,
    downRevisions: spec.downRevision ? [spec.downRevision] : [],
    message: spec.message,
    transactional: migration.transactional,
    createDate: new Date(migration.timestamp),
    up: [],
    down: [],
  });
  const local = localNameOf(migration);
  const importLine =
    migration.exportName === 'default'
      ? `import ${local} from ${quote(spec.importPath)};`
      : migration.exportName === local
        ? `import { ${local} } from ${quote(spec.importPath)};`
        : `import { ${migration.exportName} as ${local} } from ${quote(spec.importPath)};`;
  const transactionalLine = `export const transactional = ${migration.transactional};\n`;
  const replacements: [string, string][] = [
    ["import type { QueryRunner } from 'typeorm';\n", `import type { QueryRunner } from 'typeorm';\n${importLine}\n`],
    [
      transactionalLine,
      `${transactionalLine}/** The TypeORM migration this revision was imported from, as TypeORM's migrations table names it. */\n` +
        `export const typeormName = ${quote(migration.name)};\n`,
    ],
    ...(['up', 'down'] as const).map((direction): [string, string] => [
      `export async function ${direction}(queryRunner: QueryRunner): Promise<void> {\n}\n`,
      `export async function ${direction}(queryRunner: QueryRunner): Promise<void> {\n` +
        `  await new ${local}().${direction}(queryRunner);\n}\n`,
    ]),
  ];
  return replacements.reduce((result, [from, to]) => {
    if (!result.includes(from)) {
      throw new Error(`The migration file format changed: cannot find "${from.trim()}" to import ${migration.name}.`);
    }
    return result.replace(from, () => to);
  }, text);
}

/** The class's own name where that is a usable identifier, else `TypeormMigration`. */
function localNameOf(migration: TypeormMigrationClass): string {
  const candidate = migration.exportName === 'default' ? migration.name : migration.exportName;
  return /^[A-Za-z_$][\w$]*$/.test(candidate) && !REVISION_FILE_NAMES.has(candidate) ? candidate : 'TypeormMigration';
}

/** `CreateUsers1700000000000` -> `Create users`; a bare timestamp -> `TypeORM migration 1700000000000`. */
export function messageOf(name: string, timestamp: number): string {
  const stem = name.endsWith(String(timestamp)) ? name.slice(0, -String(timestamp).length) : name;
  const words = stem
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[_\-\s]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  if (words.length === 0) return `TypeORM migration ${name}`;
  const sentence = words.map((word, index) => (index > 0 && /^[A-Z][a-z]/.test(word) ? word.toLowerCase() : word));
  return [sentence[0][0].toUpperCase() + sentence[0].slice(1), ...sentence.slice(1)].join(' ');
}

/** The module specifier of `file` as seen from a revision in `migrationsDir`: relative, POSIX, no `.ts`/`.js`. */
export function importPathOf(migrationsDir: string, file: string): string {
  const extension = extname(file);
  const withoutExtension = ['.ts', '.tsx', '.js'].includes(extension) ? basename(file, extension) : basename(file);
  const path = relative(migrationsDir, `${dirname(file)}${sep}${withoutExtension}`)
    .split(sep)
    .join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
