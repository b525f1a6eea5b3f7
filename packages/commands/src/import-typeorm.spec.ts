import { join } from 'node:path';
import { readExportedLiteral, readMigrationMetadata } from '../../core/src/migration-file';
import type { TypeormMigrationClass } from '../../adapters/src/typeorm/typeorm-history';
import { importPathOf, messageOf, planTypeormImport } from './import-typeorm';

const migrationsDir = join('/repo', 'apps', 'api', 'migrations', 'versions');

function migration(overrides: Partial<TypeormMigrationClass> & { name: string }): TypeormMigrationClass {
  const timestamp = Number(overrides.name.slice(-13));
  return {
    timestamp,
    file: join('/repo', 'apps', 'api', 'src', 'migrations', `${timestamp}-${overrides.name.slice(0, -13)}.ts`),
    exportName: overrides.name,
    transactional: true,
    ...overrides,
  };
}

function sequentialIds(): () => string {
  let next = 0;
  return () => `rev${String(++next).padStart(9, '0')}`;
}

describe('planTypeormImport', () => {
  const migrations = [
    migration({ name: 'CreateUsers1700000000000' }),
    migration({ name: 'AddEmailToUsers1700000001000' }),
    migration({ name: 'CreatePostIndex1700000002000', transactional: false }),
  ];

  it('writes one linear chain in the given order, the oldest migration its base', () => {
    const files = planTypeormImport({ migrations, migrationsDir, newRevisionId: sequentialIds() });
    const metadata = files.map((file) => readMigrationMetadata(file.content, file.path));
    expect(metadata.map((entry) => [entry.revision, entry.downRevisions, entry.message, entry.transactional])).toEqual([
      ['rev000000001', [], 'Create users', true],
      ['rev000000002', ['rev000000001'], 'Add email to users', true],
      ['rev000000003', ['rev000000002'], 'Create post index', false],
    ]);
    expect(files.map((file) => file.path)).toEqual([
      join(migrationsDir, 'rev000000001_create_users.ts'),
      join(migrationsDir, 'rev000000002_add_email_to_users.ts'),
      join(migrationsDir, 'rev000000003_create_post_index.ts'),
    ]);
  });

  it('records the TypeORM name in each file, readable without running it', () => {
    const files = planTypeormImport({ migrations, migrationsDir, newRevisionId: sequentialIds() });
    expect(files.map((file) => readExportedLiteral(file.content, 'typeormName', file.path))).toEqual([
      'CreateUsers1700000000000',
      'AddEmailToUsers1700000001000',
      'CreatePostIndex1700000002000',
    ]);
  });

  it('imports the original class and delegates up and down to it', () => {
    const [file] = planTypeormImport({ migrations, migrationsDir, newRevisionId: sequentialIds() });
    expect(file.content).toContain(
      "import { CreateUsers1700000000000 } from '../../src/migrations/1700000000000-CreateUsers';",
    );
    expect(file.content).toContain(
      'export async function up(queryRunner: QueryRunner): Promise<void> {\n' +
        '  await new CreateUsers1700000000000().up(queryRunner);\n}',
    );
    expect(file.content).toContain(
      'export async function down(queryRunner: QueryRunner): Promise<void> {\n' +
        '  await new CreateUsers1700000000000().down(queryRunner);\n}',
    );
    expect(file.content).toContain('Create Date: 2023-11-14T22:13:20.000Z');
  });

  it('imports default exports and classes whose names clash with the revision file', () => {
    const [defaultExport, clash] = planTypeormImport({
      migrations: [
        migration({ name: 'Init1700000000000', exportName: 'default' }),
        migration({ name: 'Seed1700000001000', exportName: 'up' }),
      ],
      migrationsDir,
      newRevisionId: sequentialIds(),
    });
    expect(defaultExport.content).toContain("import Init1700000000000 from '../../src/migrations/1700000000000-Init';");
    expect(defaultExport.content).toContain('await new Init1700000000000().up(queryRunner);');
    expect(clash.content).toContain(
      "import { up as TypeormMigration } from '../../src/migrations/1700000001000-Seed';",
    );
    expect(clash.content).toContain('await new TypeormMigration().down(queryRunner);');
  });

  it('keeps a $ in an import path as it is', () => {
    const [file] = planTypeormImport({
      migrations: [migration({ name: 'A1700000000000', file: join(migrationsDir, '$&.ts') })],
      migrationsDir,
      newRevisionId: sequentialIds(),
    });
    expect(file.content).toContain("import { A1700000000000 } from './$&';");
  });
});

describe('messageOf', () => {
  it('turns a TypeORM class name into a sentence', () => {
    expect(messageOf('CreateUsers1700000000000', 1700000000000)).toBe('Create users');
    expect(messageOf('AddSSOProviderTable1700000000000', 1700000000000)).toBe('Add SSO provider table');
    expect(messageOf('add_users_index1700000000000', 1700000000000)).toBe('Add users index');
    expect(messageOf('1700000000000', 1700000000000)).toBe('TypeORM migration 1700000000000');
  });
});

describe('importPathOf', () => {
  it('is relative, POSIX and without a TypeScript or JavaScript extension', () => {
    expect(importPathOf(migrationsDir, join('/repo', 'apps', 'api', 'src', 'migrations', '1-A.ts'))).toBe(
      '../../src/migrations/1-A',
    );
    expect(importPathOf(migrationsDir, join(migrationsDir, 'legacy', '1-A.js'))).toBe('./legacy/1-A');
    expect(importPathOf(migrationsDir, join(migrationsDir, '1-A.mts'))).toBe('./1-A.mts');
  });
});
