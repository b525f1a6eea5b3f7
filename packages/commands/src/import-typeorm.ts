import { basename, dirname, extname, relative, sep } from 'node:path';
import { migrationFileName, newRevisionId, renderMigrationFile } from '../../core/src/migration-file';
import type { TypeormMigrationClass } from '../../adapters/src/typeorm/typeorm-history';

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
  /** Makes revision ids; random 12-hex ids by default. */
  readonly newRevisionId?: () => string;
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
  let downRevision: string | undefined;
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
