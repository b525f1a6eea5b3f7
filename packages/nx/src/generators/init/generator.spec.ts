import { readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { initGenerator } from './generator';

type TargetDefaultEntries = Record<string, { dependsOn?: unknown[]; cache?: boolean }>;
const targetDefaultsOf = (tree: Tree) => readNxJson(tree)!.targetDefaults as TargetDefaultEntries;

describe('init generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
  });

  it('registers the plugin with its default options', async () => {
    await initGenerator(tree, { skipFormat: true });
    expect(readNxJson(tree)?.plugins).toContainEqual({
      plugin: 'nx-typeorm-migrations',
      options: {
        dataSourceGlob: '**/data-source.{ts,js,mts,mjs,cts,cjs}',
        migrationsDir: 'migrations/versions',
        targetNames: {
          migrate: 'migrate',
          status: 'migrate-status',
          history: 'migrate-history',
          check: 'migrate-check',
          stamp: 'migrate-stamp',
        },
        checkEnvInputs: ['DATABASE_URL', 'NODE_ENV'],
      },
    });
  });

  it('is idempotent: a second run adds no second plugin entry, dependency or ignore line', async () => {
    await initGenerator(tree, { skipFormat: true });
    const once = { nxJson: tree.read('nx.json', 'utf-8'), gitignore: tree.read('.gitignore', 'utf-8') };
    await initGenerator(tree, { skipFormat: true });
    expect(tree.read('nx.json', 'utf-8')).toBe(once.nxJson);
    expect(tree.read('.gitignore', 'utf-8')).toBe(once.gitignore);
    const entries = (readNxJson(tree)?.plugins ?? []).filter((p) => (typeof p === 'string' ? p : p.plugin) === 'nx-typeorm-migrations');
    expect(entries).toHaveLength(1);
  });

  it('keeps an existing entry and its options, and uses its migrate target name', async () => {
    const nxJson = readNxJson(tree)!;
    nxJson.plugins = [{ plugin: 'nx-typeorm-migrations', options: { targetNames: { migrate: 'db-upgrade' } } }];
    updateNxJson(tree, nxJson);
    await initGenerator(tree, { skipFormat: true });
    expect(readNxJson(tree)!.plugins).toEqual([{ plugin: 'nx-typeorm-migrations', options: { targetNames: { migrate: 'db-upgrade' } } }]);
    expect(targetDefaultsOf(tree)['build'].dependsOn).toEqual(['^build', '^db-upgrade']);
  });

  it('makes build and e2e of dependents migrate first, keeping what build already depended on', async () => {
    const nxJson = readNxJson(tree)!;
    nxJson.targetDefaults = { build: { dependsOn: ['^build', 'codegen'], cache: true } };
    updateNxJson(tree, nxJson);
    await initGenerator(tree, { skipFormat: true });
    const targetDefaults = targetDefaultsOf(tree);
    expect(targetDefaults['build']).toEqual({ dependsOn: ['^build', 'codegen', '^migrate'], cache: true });
    expect(targetDefaults['e2e']).toEqual({ dependsOn: ['^migrate'] });
  });

  it('adds the dependency to the defaults of executors that build dependencies first, which Nx prefers to build', async () => {
    const nxJson = readNxJson(tree)!;
    nxJson.targetDefaults = {
      '@nx/esbuild:esbuild': { cache: true, dependsOn: ['^build'] },
      '@nx/jest:jest': { cache: true },
    } as typeof nxJson.targetDefaults;
    updateNxJson(tree, nxJson);
    await initGenerator(tree, { skipFormat: true });
    const targetDefaults = targetDefaultsOf(tree);
    expect(targetDefaults['@nx/esbuild:esbuild']).toEqual({ cache: true, dependsOn: ['^build', '^migrate'] });
    expect(targetDefaults['@nx/jest:jest']).toEqual({ cache: true });
    await initGenerator(tree, { migrateBeforeDependents: false, skipFormat: true });
    expect(targetDefaultsOf(tree)['@nx/esbuild:esbuild']).toEqual({ cache: true, dependsOn: ['^build'] });
  });

  it('takes the dependency away with --migrateBeforeDependents=false', async () => {
    await initGenerator(tree, { skipFormat: true });
    await initGenerator(tree, { migrateBeforeDependents: false, skipFormat: true });
    const targetDefaults = targetDefaultsOf(tree);
    expect(targetDefaults['build']?.dependsOn).toEqual(['^build']);
    expect(targetDefaults['e2e']?.dependsOn).toEqual([]);
  });

  it('git-ignores the embedded databases, appending to an existing .gitignore', async () => {
    tree.write('.gitignore', 'node_modules');
    await initGenerator(tree, { skipFormat: true });
    expect(tree.read('.gitignore', 'utf-8')).toBe('node_modules\n# the embedded databases of nx-typeorm-migrations\n.nx-typeorm-migrations/\n');
  });
});
