import { addProjectConfiguration, logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { setupGenerator } from './generator';

describe('setup generator', () => {
  let tree: Tree;
  let info: jest.SpyInstance;
  beforeEach(() => {
    info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    tree = createTreeWithEmptyWorkspace();
    addProjectConfiguration(tree, 'shop', { root: 'apps/shop', sourceRoot: 'apps/shop/src' });
  });

  it('scaffolds a data source reading DATABASE_URL, an example entity, the migrations folder and .env.example', async () => {
    await setupGenerator(tree, { project: 'shop', skipFormat: true });
    const dataSource = tree.read('apps/shop/src/data-source.ts', 'utf-8')!;
    expect(dataSource).toContain("url: process.env['DATABASE_URL']");
    expect(dataSource).toContain('entities: [`${__dirname}/**/*.entity.{ts,js}`]');
    expect(dataSource).toContain('.nx-typeorm-migrations/shop/');
    expect(tree.read('apps/shop/src/entities/example.entity.ts', 'utf-8')).toContain("@Entity({ name: 'examples' })");
    expect(tree.exists('apps/shop/migrations/versions/.gitkeep')).toBe(true);
    expect(tree.read('apps/shop/.env.example', 'utf-8')).toContain('?sslmode=require');
    expect(info).toHaveBeenLastCalledWith(
      'Next: edit the entities, then `nx g migration --project=shop --message="Create tables"` and `nx run shop:migrate --to=head`.',
    );
  });

  afterEach(() => info.mockRestore());

  it('registers the plugin and git-ignores the embedded databases', async () => {
    await setupGenerator(tree, { project: 'shop', skipFormat: true });
    expect(readNxJson(tree)?.plugins).toContainEqual(expect.objectContaining({ plugin: 'nx-typeorm-migrations' }));
    expect(tree.read('.gitignore', 'utf-8')).toContain('.nx-typeorm-migrations/');
  });

  it('keeps an existing data source and entities, and adds no example entity', async () => {
    tree.write('apps/shop/src/db/data-source.ts', 'export default dataSource;');
    tree.write('apps/shop/src/db/order.ts', "@Entity('orders') export class Order {}");
    await setupGenerator(tree, { project: 'shop', skipFormat: true });
    expect(tree.read('apps/shop/src/db/data-source.ts', 'utf-8')).toBe('export default dataSource;');
    expect(tree.exists('apps/shop/src/data-source.ts')).toBe(false);
    expect(tree.exists('apps/shop/src/db/entities/example.entity.ts')).toBe(false);
    expect(info).toHaveBeenCalledWith('shop already has a data source (apps/shop/src/db/data-source.ts); it is kept as it is.');
  });

  it('uses the migrations folder and data source glob of the registered plugin', async () => {
    const nxJson = readNxJson(tree)!;
    nxJson.plugins = [{ plugin: 'nx-typeorm-migrations', options: { migrationsDir: 'db/migrations', dataSourceGlob: '**/orm.ts' } }];
    updateNxJson(tree, nxJson);
    tree.write('apps/shop/src/orm.ts', 'export default dataSource;');
    await setupGenerator(tree, { project: 'shop', skipFormat: true });
    expect(tree.exists('apps/shop/db/migrations/.gitkeep')).toBe(true);
    expect(tree.exists('apps/shop/src/data-source.ts')).toBe(false);
    expect(tree.exists('apps/shop/src/entities/example.entity.ts')).toBe(true);
  });

  it('puts the data source in <root>/src for a project without a source root, and keeps an existing .env.example', async () => {
    addProjectConfiguration(tree, 'jobs', { root: 'libs/jobs' });
    tree.write('libs/jobs/.env.example', 'MINE=1\n');
    await setupGenerator(tree, { project: 'jobs', skipFormat: true });
    expect(tree.exists('libs/jobs/src/data-source.ts')).toBe(true);
    expect(tree.read('libs/jobs/.env.example', 'utf-8')).toBe('MINE=1\n');
  });

  it('fails naming the project when it does not exist', async () => {
    await expect(setupGenerator(tree, { project: 'nope', skipFormat: true })).rejects.toThrow(/nope/);
  });
});
