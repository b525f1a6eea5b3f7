import { addProjectConfiguration, logger, readJson, readNxJson, updateNxJson, visitNotIgnoredFiles, writeJson, type Tree } from '@nx/devkit';
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

  it('writes an ECMAScript data source in a "type": "module" package: no __dirname, its folder from import.meta.url', async () => {
    addProjectConfiguration(tree, 'posts', { root: 'packages/posts', sourceRoot: 'packages/posts/src' });
    writeJson(tree, 'packages/posts/package.json', { name: '@org/posts', type: 'module' });
    await setupGenerator(tree, { project: 'posts', skipFormat: true });
    const dataSource = tree.read('packages/posts/src/data-source.ts', 'utf-8')!;
    expect(dataSource).not.toContain('__dirname');
    expect(dataSource).toContain('const here = dirname(fileURLToPath(import.meta.url));');
    expect(dataSource).toContain('entities: [`${here}/**/*.entity.{ts,js}`]');
    expect(dataSource).toContain("import { fileURLToPath } from 'node:url';");
  });

  it('writes a CommonJS data source where the nearest package.json has no "type": "module"', async () => {
    writeJson(tree, 'apps/shop/package.json', { name: 'shop', type: 'commonjs' });
    await setupGenerator(tree, { project: 'shop', skipFormat: true });
    const dataSource = tree.read('apps/shop/src/data-source.ts', 'utf-8')!;
    expect(dataSource).toContain('entities: [`${__dirname}/**/*.entity.{ts,js}`]');
    expect(dataSource).not.toContain('import.meta');
  });

  it("turns on the decorators in the tsconfig files that compile the project and in its swc configurations", async () => {
    writeJson(tree, 'apps/shop/tsconfig.json', { files: [], references: [{ path: './tsconfig.lib.json' }] });
    writeJson(tree, 'apps/shop/tsconfig.lib.json', { extends: '../../tsconfig.base.json', compilerOptions: { outDir: 'dist' } });
    writeJson(tree, 'apps/shop/tsconfig.spec.json', { compilerOptions: { experimentalDecorators: true, emitDecoratorMetadata: true } });
    writeJson(tree, 'apps/shop/.spec.swcrc', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } });
    await setupGenerator(tree, { project: 'shop', skipFormat: true });
    expect(readJson(tree, 'apps/shop/tsconfig.lib.json').compilerOptions).toEqual({
      outDir: 'dist',
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    });
    expect(readJson(tree, 'apps/shop/tsconfig.json')).toEqual({ files: [], references: [{ path: './tsconfig.lib.json' }] });
    expect(readJson(tree, 'apps/shop/.spec.swcrc').jsc).toEqual({
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    });
    expect(info).toHaveBeenCalledWith(
      "Turned on TypeORM's decorators (experimentalDecorators, emitDecoratorMetadata) in apps/shop/tsconfig.lib.json, apps/shop/.spec.swcrc.",
    );
  });

  it("uses the project's tsconfig.json when no tsconfig.lib/app/spec.json compiles it", async () => {
    writeJson(tree, 'apps/shop/tsconfig.json', { compilerOptions: { strict: true } });
    await setupGenerator(tree, { project: 'shop', skipFormat: true });
    expect(readJson(tree, 'apps/shop/tsconfig.json').compilerOptions).toEqual({ strict: true, experimentalDecorators: true, emitDecoratorMetadata: true });
  });

  it('adds the packages the workspace lacks, says which, keeps the versions it has, and installs', async () => {
    const manifest = readJson(tree, 'package.json');
    writeJson(tree, 'package.json', { ...manifest, dependencies: { pg: '8.11.0' } });
    const install = await setupGenerator(tree, { project: 'shop', skipFormat: true });
    const after = readJson(tree, 'package.json');
    expect(after.dependencies).toEqual({ pg: '8.11.0', typeorm: '^1.1.1', 'reflect-metadata': '^0.2.2' });
    expect(after.devDependencies['@types/pg']).toBe('^8.23.1');
    expect(info).toHaveBeenCalledWith('Added to package.json: typeorm@^1.1.1, reflect-metadata@^0.2.2, @types/pg@^8.23.1; installing them.');
    expect(typeof install).toBe('function');
  });

  it("adds TypeORM 0.3 when the workspace pins a ts-node older than TypeORM 1.x accepts (Nx's Jest setup)", async () => {
    const manifest = readJson(tree, 'package.json');
    writeJson(tree, 'package.json', { ...manifest, devDependencies: { ...manifest.devDependencies, 'ts-node': '10.9.1' } });
    await setupGenerator(tree, { project: 'shop', skipFormat: true });
    expect(readJson(tree, 'package.json').dependencies.typeorm).toBe('^0.3.31');
  });

  it('is idempotent: a second run changes no file and installs nothing', async () => {
    writeJson(tree, 'apps/shop/package.json', { name: 'shop', type: 'module' });
    writeJson(tree, 'apps/shop/tsconfig.lib.json', { compilerOptions: {} });
    writeJson(tree, 'apps/shop/.swcrc', { jsc: { parser: { syntax: 'typescript' } } });
    await setupGenerator(tree, { project: 'shop' });
    const contents = () => {
      const files: Record<string, string> = {};
      visitNotIgnoredFiles(tree, '', (file) => {
        files[file] = tree.read(file, 'utf-8')!;
      });
      return files;
    };
    const once = contents();
    info.mockClear();
    const install = await setupGenerator(tree, { project: 'shop' });
    expect(contents()).toEqual(once);
    expect(install).toBeUndefined();
    expect(info).not.toHaveBeenCalledWith(expect.stringMatching(/^(Added to package.json|Turned on)/));
  });

  it('fails naming the project when it does not exist', async () => {
    await expect(setupGenerator(tree, { project: 'nope', skipFormat: true })).rejects.toThrow(/nope/);
  });
});
