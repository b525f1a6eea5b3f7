import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CreateNodesContext } from '@nx/devkit';
import { createNodes, createNodesV2, dataSourceMatcher, type TypeormMigrationsPluginOptions } from './plugin';

describe('createNodes', () => {
  let workspaceRoot: string;
  const write = (file: string, text = '') => {
    mkdirSync(dirname(join(workspaceRoot, file)), { recursive: true });
    writeFileSync(join(workspaceRoot, file), text);
  };
  const infer = (files: string[], options?: TypeormMigrationsPluginOptions) => {
    const context: CreateNodesContext = { workspaceRoot, nxJsonConfiguration: {} };
    return createNodesV2[1](files, options, context);
  };

  beforeEach(() => {
    workspaceRoot = mkdtempSync(join(tmpdir(), 'ntm-plugin-'));
    write('package.json', '{"name":"workspace"}');
    write('.env.production');
    write('.env.local');
    write('packages/backend/project.json', '{}');
    write('packages/backend/src/data-source.ts');
    write('packages/backend/src/entities/user.ts');
    write('packages/backend/.env.staging');
    write('packages/backend/.env.example');
    write('packages/backend/.qa.env');
    write('packages/web/package.json', '{"name":"web"}');
    write('packages/web/src/main.ts');
  });
  afterEach(() => rmSync(workspaceRoot, { recursive: true, force: true }));

  it('infers the five targets for a project holding a data source', async () => {
    const results = await infer(['packages/backend/src/data-source.ts', 'packages/backend/src/entities/user.ts', 'packages/web/src/main.ts']);
    expect(results).toMatchSnapshot();
  });

  it('makes one configuration per .env.<name> of the project and of the workspace, never local or example', async () => {
    const [[, result]] = await infer(['packages/backend/src/data-source.ts']);
    const migrate = result.projects!['packages/backend'].targets!['migrate'];
    expect(Object.keys(migrate.configurations!)).toEqual(['production', 'qa', 'staging']);
  });

  it('caches migrate-check only, on the project, its dependencies, migrations, data source and versions', async () => {
    const [[, result]] = await infer(['packages/backend/src/data-source.ts']);
    const targets = result.projects!['packages/backend'].targets!;
    expect(Object.entries(targets).map(([name, target]) => [name, target.cache])).toEqual([
      ['migrate', undefined],
      ['migrate-status', undefined],
      ['migrate-history', undefined],
      ['migrate-check', true],
      ['migrate-stamp', undefined],
    ]);
    expect(targets['migrate-check'].inputs).toEqual([
      'default',
      '^default',
      '{projectRoot}/migrations/versions/**/*',
      '{projectRoot}/src/data-source.ts',
      { externalDependencies: ['nx-typeorm-migrations', 'typeorm'] },
      { env: 'DATABASE_URL' },
    ]);
  });

  it('renames targets and moves the migrations folder through the options', async () => {
    const [[, result]] = await infer(['packages/backend/src/data-source.ts'], {
      migrationsDir: 'db/migrations/',
      targetNames: { migrate: 'db-upgrade', check: 'db-check' },
    });
    const targets = result.projects!['packages/backend'].targets!;
    expect(Object.keys(targets)).toEqual(['db-upgrade', 'migrate-status', 'migrate-history', 'db-check', 'migrate-stamp']);
    expect(targets['db-upgrade'].executor).toBe('nx-typeorm-migrations:migrate');
    expect(targets['db-upgrade'].options).toEqual({
      dataSource: '{projectRoot}/src/data-source.ts',
      migrationsDir: '{projectRoot}/db/migrations',
    });
  });

  it('follows dataSourceGlob', async () => {
    write('packages/web/src/db/typeorm.config.ts');
    const files = ['packages/backend/src/data-source.ts', 'packages/web/src/db/typeorm.config.ts'];
    const results = await infer(files, { dataSourceGlob: '**/db/typeorm.config.ts' });
    expect(results.map(([file, result]) => [file, Object.keys(result.projects!)])).toEqual([
      ['packages/web/src/db/typeorm.config.ts', ['packages/web']],
    ]);
  });

  it('gives a data source outside every project to the root project, or to nobody without one', async () => {
    write('tools/data-source.js');
    expect((await infer(['tools/data-source.js'])).map(([, result]) => Object.keys(result.projects!))).toEqual([['.']]);
    rmSync(join(workspaceRoot, 'package.json'));
    expect(await infer(['tools/data-source.js'])).toEqual([]);
  });

  it('exports the same pair as createNodes for Nx 23 and createNodesV2 for Nx 21 and 22', () => {
    expect(createNodes).toBe(createNodesV2);
  });

  it('asks Nx only for script files whose name says they configure TypeORM', () => {
    const sent = dataSourceMatcher(createNodes[0]);
    const named = ['apps/a/src/data-source.ts', 'b/dataSource.mts', 'c/src/db/typeorm.config.ts', 'ormconfig.js', 'd/app-datasource.cjs'];
    expect(named.filter(sent)).toEqual(named);
    expect(['apps/a/src/main.ts', 'apps/a/src/user.entity.ts', 'apps/a/data-source.json', 'apps/a/orm.config.ts'].filter(sent)).toEqual([]);
  });
});

describe('dataSourceMatcher', () => {
  const paths = [
    'data-source.ts',
    'apps/api/src/data-source.ts',
    'apps/api/src/data-source.mjs',
    'apps/api/src/data-source.json',
    'apps/api/src/my-data-source.ts',
    'apps/api/src/data-source.ts.bak',
    'apps/.hidden/data-source.ts',
    '.config/data-source.js',
    'apps/api/src/.data-source.ts',
    'apps/api/src/data-source.cts',
    'apps/api/src/orm/data-source.tsx',
  ];
  const minimatch = (glob: string) => {
    const fromDevkit = require('node:module').createRequire(require.resolve('@nx/devkit/package.json'));
    const { Minimatch } = fromDevkit('minimatch') as { Minimatch: new (g: string, o: object) => { match(p: string): boolean } };
    const pattern = new Minimatch(glob, { dot: false });
    return (path: string) => pattern.match(path);
  };

  it.each(['**/data-source.{ts,js,mts,mjs,cts,cjs}', '**/data-source.ts', '**/orm.config.{ts,js}', 'apps/*/src/data-source.ts', '**/*source.ts'])(
    'agrees with minimatch on %s',
    (glob) => {
      expect(paths.filter(dataSourceMatcher(glob))).toEqual(paths.filter(minimatch(glob)));
    },
  );

  it('keeps the default glob to the data source files of any folder, none hidden', () => {
    expect(paths.filter(dataSourceMatcher('**/data-source.{ts,js,mts,mjs,cts,cjs}'))).toEqual([
      'data-source.ts',
      'apps/api/src/data-source.ts',
      'apps/api/src/data-source.mjs',
      'apps/api/src/data-source.cts',
    ]);
  });
});
