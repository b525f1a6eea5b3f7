import { memoryReader } from './file-system';
import { parseJsonWithComments, TsconfigError, TsconfigReader } from './tsconfig';

const json = (value: unknown) => JSON.stringify(value);

describe('parseJsonWithComments', () => {
  it('reads comments and trailing commas as tsconfig files are written, leaving strings alone', () => {
    const text = `{
      // the workspace's aliases
      "compilerOptions": { /* block */ "paths": { "@org/*": ["libs/*/src/index.ts",], }, "outDir": "dist//x,}" },
    }`;
    expect(parseJsonWithComments(text)).toEqual({ compilerOptions: { paths: { '@org/*': ['libs/*/src/index.ts'] }, outDir: 'dist//x,}' } });
  });
});

describe('TsconfigReader', () => {
  it('finds paths through an extends chain, relative to the config that holds them (the Nx monorepo layout)', () => {
    const reader = new TsconfigReader(
      memoryReader({
        '/ws/tsconfig.base.json': json({ compilerOptions: { paths: { '@org/domain': ['libs/domain/src/index.ts'] } } }),
        '/ws/apps/api/tsconfig.json': json({ extends: '../../tsconfig.base.json', compilerOptions: { strict: true } }),
      }),
    );
    const settings = reader.forDirectory('/ws/apps/api/src/entities');
    expect(settings?.file).toBe('/ws/apps/api/tsconfig.json');
    expect(settings?.paths).toEqual({ '@org/domain': ['/ws/libs/domain/src/index.ts'] });
    expect(settings?.customConditions).toEqual([]);
  });

  it('resolves inherited paths against a baseUrl set further down the chain, and keeps customConditions', () => {
    const reader = new TsconfigReader(
      memoryReader({
        '/ws/tsconfig.base.json': json({ compilerOptions: { paths: { '~/*': ['src/*'] }, customConditions: ['development'] } }),
        '/ws/apps/api/tsconfig.json': json({ extends: ['../../tsconfig.base.json'], compilerOptions: { baseUrl: '.' } }),
      }),
    );
    expect(reader.forDirectory('/ws/apps/api')).toEqual({
      file: '/ws/apps/api/tsconfig.json',
      paths: { '~/*': ['/ws/apps/api/src/*'] },
      baseUrl: '/ws/apps/api',
      customConditions: ['development'],
    });
  });

  it('reads a base config from a package, and lets later configs of an extends array win', () => {
    const reader = new TsconfigReader(
      memoryReader({
        '/ws/node_modules/@tsconfig/node20/tsconfig.json': json({ compilerOptions: { customConditions: ['node20'] } }),
        '/ws/tsconfig.paths.json': json({ compilerOptions: { customConditions: ['development'] } }),
        '/ws/tsconfig.json': json({ extends: ['@tsconfig/node20/tsconfig.json', './tsconfig.paths'] }),
      }),
    );
    expect(reader.forDirectory('/ws/src')?.customConditions).toEqual(['development']);
  });

  it('names the config whose base is missing, and one that extends itself', () => {
    const missing = new TsconfigReader(memoryReader({ '/ws/tsconfig.json': json({ extends: './tsconfig.base.json' }) }));
    expect(() => missing.forDirectory('/ws')).toThrow(new TsconfigError('/ws/tsconfig.json', 'extends "./tsconfig.base.json", which was not found'));
    const loop = new TsconfigReader(
      memoryReader({ '/ws/tsconfig.json': json({ extends: './a.json' }), '/ws/a.json': json({ extends: './tsconfig.json' }) }),
    );
    expect(() => loop.forDirectory('/ws')).toThrow(/extends itself/);
  });

  it('has nothing to say for a file under no tsconfig, or inside node_modules', () => {
    const reader = new TsconfigReader(memoryReader({ '/ws/tsconfig.json': json({}) }));
    expect(reader.forDirectory('/elsewhere/src')).toBeUndefined();
    expect(reader.forDirectory('/ws/node_modules/pkg/lib')).toBeUndefined();
  });
});
