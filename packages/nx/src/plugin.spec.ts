import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { CreateNodesContext, PreTasksExecutionContext } from '@nx/devkit';
import {
  AGAINST_DATABASE_VARIABLE,
  createNodes,
  createNodesV2,
  dataSourceMatcher,
  LIVE_DATABASE_INPUT,
  preTasksExecution,
  RUN_ID_VARIABLE,
  type TypeormMigrationsPluginOptions,
} from './plugin';

describe('createNodes', () => {
  let workspaceRoot: string;
  const write = (file: string, text = '') => {
    mkdirSync(dirname(join(workspaceRoot, file)), { recursive: true });
    writeFileSync(join(workspaceRoot, file), text);
  };
  const infer = (files: string[], options?: TypeormMigrationsPluginOptions, nxJsonConfiguration: CreateNodesContext['nxJsonConfiguration'] = {}) => {
    const context: CreateNodesContext = { workspaceRoot, nxJsonConfiguration };
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

  it('caches migrate-check only, on the project, its dependencies, migrations, data source, versions, env and a live-database input', async () => {
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
      { env: 'NODE_ENV' },
      LIVE_DATABASE_INPUT,
    ]);
  });

  it("uses the workspace's production inputs where nx.json or the project names them", async () => {
    const production = { production: ['default', '!{projectRoot}/**/*.spec.ts'] };
    const inputsOf = async (nxJson: CreateNodesContext['nxJsonConfiguration']) => {
      const [[, result]] = await infer(['packages/backend/src/data-source.ts'], undefined, nxJson);
      return result.projects!['packages/backend'].targets!['migrate-check'].inputs!.slice(0, 2);
    };
    expect(await inputsOf({ namedInputs: production })).toEqual(['production', '^production']);
    expect(await inputsOf({ namedInputs: { default: ['{projectRoot}/**/*'] } })).toEqual(['default', '^default']);
    write('packages/backend/project.json', JSON.stringify({ namedInputs: production }));
    expect(await inputsOf({})).toEqual(['production', '^production']);
  });

  it('makes each variable of checkEnvInputs an env input of migrate-check, DATABASE_URL always', async () => {
    const [[, result]] = await infer(['packages/backend/src/data-source.ts'], { checkEnvInputs: ['FEATURE_AUDIT', 'APP_SCHEMA'] });
    const inputs = result.projects!['packages/backend'].targets!['migrate-check'].inputs!;
    expect(inputs.filter((input) => typeof input === 'object' && 'env' in input)).toEqual([
      { env: 'DATABASE_URL' },
      { env: 'FEATURE_AUDIT' },
      { env: 'APP_SCHEMA' },
    ]);
  });

  it('describes every target for nx show project and Nx Console: description, technologies, help', async () => {
    const [[, result]] = await infer(['packages/backend/src/data-source.ts']);
    const targets = result.projects!['packages/backend'].targets!;
    expect(Object.values(targets).map((target) => target.metadata?.help?.command)).toEqual([
      'npx nx-typeorm-migrations migrate --help',
      'npx nx-typeorm-migrations status --help',
      'npx nx-typeorm-migrations history --help',
      'npx nx-typeorm-migrations check --help',
      'npx nx-typeorm-migrations stamp --help',
    ]);
    for (const target of Object.values(targets)) {
      expect(target.metadata?.technologies).toEqual(['typeorm']);
      expect(target.metadata?.description).toMatch(/^[A-Z].+\.$/);
    }
  });

  it('keeps the targets of the other projects when one data source cannot be read', async () => {
    // A project.json that is a folder: reading it fails for this project alone.
    mkdirSync(join(workspaceRoot, 'packages/broken/project.json'), { recursive: true });
    write('packages/broken/src/data-source.ts');
    const failure = await Promise.resolve(infer(['packages/broken/src/data-source.ts', 'packages/backend/src/data-source.ts'])).catch((error) => error);
    expect(failure.errors.map(([file, error]: [string, Error]) => [file, String(error)])).toEqual([
      ['packages/broken/src/data-source.ts', expect.stringContaining('EISDIR')],
    ]);
    expect(failure.partialResults.map(([file, result]: [string, { projects: object }]) => [file, Object.keys(result.projects)])).toEqual([
      ['packages/backend/src/data-source.ts', ['packages/backend']],
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
    expect(await infer(['tools/data-source.js'])).toEqual([['tools/data-source.js', {}]]);
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

describe('the live-database input of migrate-check', () => {
  /** What Nx hashes for the input: the output of its command, run by a shell with the task's environment. */
  const printed = (env: Record<string, string>) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !['DATABASE_URL', RUN_ID_VARIABLE, AGAINST_DATABASE_VARIABLE].includes(name)));
    return execFileSync('sh', ['-c', LIVE_DATABASE_INPUT.runtime], { env: { ...clean, ...env }, encoding: 'utf8' });
  };
  const context = (argv: string[]): PreTasksExecutionContext => ({ id: 'run', workspaceRoot: '/w', nxJsonConfiguration: {}, argv });
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of [RUN_ID_VARIABLE, AGAINST_DATABASE_VARIABLE]) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('prints a constant when no database is configured, so file-only checks are cached', () => {
    expect(printed({ [RUN_ID_VARIABLE]: 'a' })).toBe(printed({ [RUN_ID_VARIABLE]: 'b' }));
    expect(printed({ DATABASE_URL: '  ' })).toBe('files only');
  });

  it('prints a value of its own per command when DATABASE_URL is set or --against=database is asked', () => {
    const url = 'postgres://app@db:5432/app';
    expect(printed({ DATABASE_URL: url, [RUN_ID_VARIABLE]: 'a' })).not.toBe(printed({ DATABASE_URL: url, [RUN_ID_VARIABLE]: 'b' }));
    expect(printed({ DATABASE_URL: url })).not.toBe(printed({ DATABASE_URL: url }));
    expect(printed({ [AGAINST_DATABASE_VARIABLE]: 'true', [RUN_ID_VARIABLE]: 'a' })).not.toBe(
      printed({ [AGAINST_DATABASE_VARIABLE]: 'true', [RUN_ID_VARIABLE]: 'b' }),
    );
  });

  it('preTasksExecution gives every Nx command a new run id, and notes --against=database', async () => {
    await preTasksExecution(undefined, context(['run', 'backend:migrate-check']));
    const first = process.env[RUN_ID_VARIABLE];
    await preTasksExecution(undefined, context(['run', 'backend:migrate-check']));
    expect(process.env[RUN_ID_VARIABLE]).toMatch(/^[0-9a-f-]{36}$/);
    expect(process.env[RUN_ID_VARIABLE]).not.toBe(first);
    expect(process.env[AGAINST_DATABASE_VARIABLE]).toBeUndefined();
    await preTasksExecution(undefined, context(['run', 'backend:migrate-check', '--against', 'database']));
    expect(process.env[AGAINST_DATABASE_VARIABLE]).toBe('true');
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
