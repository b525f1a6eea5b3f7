import { addProjectConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { migrationGenerator } from './generator';

const DATA_SOURCE = `import { DataSource } from 'typeorm';\nexport default new DataSource({ type: 'postgres', entities: [] });\n`;

function addProject(tree: Tree, name: string, withDataSource: boolean): void {
  addProjectConfiguration(tree, name, { root: `apps/${name}` });
  tree.write(`apps/${name}/src/main.ts`, 'export {};\n');
  if (withDataSource) tree.write(`apps/${name}/src/data-source.ts`, DATA_SOURCE);
}

describe('migration generator (option handling on a virtual tree)', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
  });

  it('writes an empty migration into the only project with a data source, formatted', async () => {
    addProject(tree, 'backend', true);
    addProject(tree, 'web', false);
    await migrationGenerator(tree, { message: 'Backfill user names', empty: true, revId: 'backfill_1' });
    const path = 'apps/backend/migrations/versions/backfill_1_backfill_user_names.ts';
    expect(tree.exists(path)).toBe(true);
    const content = tree.read(path, 'utf8')!;
    expect(content).toContain("export const revision = 'backfill_1';");
    expect(content).toContain('export const downRevision: string | readonly string[] | null = null;');
    expect(content).toContain("export const message = 'Backfill user names';");
    expect(content).toMatch(/export async function up\(queryRunner: QueryRunner\): Promise<void> \{\n  \/\/ Write the statements here/);
  });

  it('records the branch label it is given', async () => {
    addProject(tree, 'backend', true);
    await migrationGenerator(tree, { project: 'backend', message: 'Audit', empty: true, revId: 'audit_1', branchLabel: 'audit' });
    expect(tree.read('apps/backend/migrations/versions/audit_1_audit.ts', 'utf8')).toContain(
      "export const branchLabels: readonly string[] = ['audit'];",
    );
  });

  it('asks for --project when several projects have a data source', async () => {
    addProject(tree, 'backend', true);
    addProject(tree, 'billing', true);
    await expect(migrationGenerator(tree, { message: 'x', empty: true })).rejects.toThrow(
      'Several projects have a TypeORM data source (backend, billing); pass --project=NAME.',
    );
  });

  it('counts a data source for its own project, not for a root project holding the whole workspace', async () => {
    addProjectConfiguration(tree, 'workspace', { root: '.' });
    addProject(tree, 'backend', true);
    await migrationGenerator(tree, { message: 'Root', empty: true, revId: 'root_1' });
    expect(tree.exists('apps/backend/migrations/versions/root_1_root.ts')).toBe(true);
  });

  it('says to run setup when no project has a data source', async () => {
    addProject(tree, 'web', false);
    await expect(migrationGenerator(tree, { message: 'x', empty: true })).rejects.toThrow(
      'No project has a TypeORM data source file; run nx g nx-typeorm-migrations:setup --project=NAME first.',
    );
  });

  it('refuses a revision id that is not letters, digits and _', async () => {
    addProject(tree, 'backend', true);
    await expect(migrationGenerator(tree, { message: 'x', empty: true, revId: 'no-dashes' })).rejects.toThrow(
      '--rev-id=no-dashes is not a valid name; use letters, digits and _ (and not head, heads or base).',
    );
  });

  it('refuses an empty message', async () => {
    addProject(tree, 'backend', true);
    await expect(migrationGenerator(tree, { message: '  ', empty: true })).rejects.toThrow(
      '--message needs a value: --message="Add users table".',
    );
    expect(tree.listChanges().filter((change) => change.path.includes('migrations/'))).toEqual([]);
  });
});
