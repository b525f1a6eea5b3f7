import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The benchmark workload of ../../../shared/BASELINES.md: N migrations, each creating a table with a serial key,
 * a text and a timestamp column, plus an index on the text column; each down drops its table. The same SQL is
 * written three ways: our migration files, TypeORM migration classes, and a psql script.
 */
export const WORKSPACE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function upStatements(i) {
  return [
    `CREATE TABLE t_${i} (id serial primary key, name text not null, created_at timestamptz default now())`,
    `CREATE INDEX t_${i}_name_idx ON t_${i} (name)`,
  ];
}

export function downStatements(i) {
  return [`DROP TABLE t_${i}`];
}

/** Revision id of migration `i`: 12 lowercase hex characters, stable across runs, spread like random ids. */
export function revisionOf(i) {
  return createHash('sha256').update(`bench revision ${i}`).digest('hex').slice(0, 12);
}

/** A scratch folder whose `node_modules` is the workspace's, so `typeorm` and `pg` resolve from it. */
export function makeScratchProject(prefix) {
  const root = mkdtempSync(join(tmpdir(), `ntm-bench-${prefix}-`));
  symlinkSync(join(WORKSPACE_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

const DATA_SOURCE_OURS = `import { DataSource } from 'typeorm';

export default new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
`;

/** A project in our format (docs/ARCHITECTURE.md): `data-source.ts` and `migrations/versions/<rev>_<slug>.ts`. */
export function writeOurProject(root, n) {
  writeFileSync(join(root, 'data-source.ts'), DATA_SOURCE_OURS);
  const versions = join(root, 'migrations', 'versions');
  mkdirSync(versions, { recursive: true });
  for (let i = 1; i <= n; i += 1) {
    const revision = revisionOf(i);
    const down = i === 1 ? 'null' : `'${revisionOf(i - 1)}'`;
    writeFileSync(join(versions, `${revision}_create_t_${i}.ts`), ourMigration(i, revision, down));
  }
}

function ourMigration(i, revision, down) {
  const calls = (statements) => statements.map((sql) => `  await queryRunner.query(\`${sql}\`);`).join('\n');
  return `/**
 * Create t_${i}
 *
 * Revision ID: ${revision}
 * Revises: ${down === 'null' ? '' : down.slice(1, -1)}
 * Create Date: 2026-11-25T10:00:00.000Z
 */
import type { QueryRunner } from 'typeorm';

export const revision = '${revision}';
export const downRevision: string | readonly string[] | null = ${down};
export const message = 'Create t_${i}';
export const branchLabels: readonly string[] = [];
export const dependsOn: readonly string[] = [];
export const transactional = true;

export async function up(queryRunner: QueryRunner): Promise<void> {
${calls(upStatements(i))}
}

export async function down(queryRunner: QueryRunner): Promise<void> {
${calls(downStatements(i))}
}
`;
}

export const TIMESTAMP_BASE = 1_700_000_000_000;

/** A project for TypeORM's own CLI: a data source listing `migrations/*.ts`, one class per migration. */
export function writeTypeormProject(root, n) {
  writeFileSync(
    join(root, 'data-source.ts'),
    `import { DataSource } from 'typeorm';

export default new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL,
  migrations: [__dirname + '/migrations/*.ts'],
});
`,
  );
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'es2021',
          module: 'commonjs',
          moduleResolution: 'node',
          strict: true,
          esModuleInterop: true,
          skipLibCheck: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          types: ['node'],
        },
      },
      null,
      2,
    ),
  );
  const folder = join(root, 'migrations');
  mkdirSync(folder, { recursive: true });
  for (let i = 1; i <= n; i += 1) {
    const timestamp = TIMESTAMP_BASE + i;
    const calls = (statements) => statements.map((sql) => `    await queryRunner.query(\`${sql}\`);`).join('\n');
    writeFileSync(
      join(folder, `${timestamp}-CreateT${i}.ts`),
      `import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateT${i}${timestamp} implements MigrationInterface {
  name = 'CreateT${i}${timestamp}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${calls(upStatements(i))}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${calls(downStatements(i))}
  }
}
`,
    );
  }
}

/**
 * psql scripts for the floor of a migration tool: one transaction per migration, with a version-row insert
 * (apply) or delete (revert) in it.
 */
export function writePsqlScripts(root, n) {
  const apply = ['CREATE TABLE bench_version (revision varchar(64) PRIMARY KEY);'];
  for (let i = 1; i <= n; i += 1) {
    apply.push('BEGIN;', ...upStatements(i).map((s) => `${s};`));
    apply.push(`INSERT INTO bench_version VALUES ('${revisionOf(i)}');`, 'COMMIT;');
  }
  const revert = [];
  for (let i = n; i >= 1; i -= 1) {
    revert.push('BEGIN;', ...downStatements(i).map((s) => `${s};`));
    revert.push(`DELETE FROM bench_version WHERE revision = '${revisionOf(i)}';`, 'COMMIT;');
  }
  const applyFile = join(root, 'apply.sql');
  const revertFile = join(root, 'revert.sql');
  writeFileSync(applyFile, `${apply.join('\n')}\n`);
  writeFileSync(revertFile, `${revert.join('\n')}\n`);
  return { applyFile, revertFile };
}
