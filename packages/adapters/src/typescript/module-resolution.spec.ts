import { memoryReader } from './file-system';
import { matchPaths, resolveExports, splitPackageRequest, UserModuleResolver } from './module-resolution';
import { TsconfigReader } from './tsconfig';

const json = (value: unknown) => JSON.stringify(value);

function resolverOf(files: Record<string, string>): UserModuleResolver {
  const reader = memoryReader(files);
  return new UserModuleResolver(reader, new TsconfigReader(reader));
}

describe('UserModuleResolver: relative imports', () => {
  const resolver = resolverOf({
    '/p/src/user.entity.ts': '',
    '/p/src/view.tsx': '',
    '/p/src/esm.mts': '',
    '/p/src/cjs.cts': '',
    '/p/src/plain.js': '',
    '/p/src/entities/index.ts': '',
  });
  const from = '/p/src/post.entity.ts';

  it('leads a .js import to the .ts source beside it, in CommonJS and ES modules alike (NodeNext style)', () => {
    for (const mode of ['require', 'import'] as const) {
      expect(resolver.resolve('./user.entity.js', from, mode)).toEqual({ kind: 'file', path: '/p/src/user.entity.ts' });
      expect(resolver.resolve('./view.js', from, mode)).toEqual({ kind: 'file', path: '/p/src/view.tsx' });
      expect(resolver.resolve('./esm.mjs', from, mode)).toEqual({ kind: 'file', path: '/p/src/esm.mts' });
      expect(resolver.resolve('./cjs.cjs', from, mode)).toEqual({ kind: 'file', path: '/p/src/cjs.cts' });
      expect(resolver.resolve('../src/user.entity.js', from, mode)).toEqual({ kind: 'file', path: '/p/src/user.entity.ts' });
    }
  });

  it('leaves real .js files to Node, and finds extensionless requires as Node with our extensions would', () => {
    expect(resolver.resolve('./plain.js', from, 'require')).toEqual({ kind: 'node', tried: ['/p/src/plain.ts', '/p/src/plain.tsx', '/p/src/plain.js'] });
    expect(resolver.resolve('./user.entity', from, 'require')).toEqual({ kind: 'file', path: '/p/src/user.entity.ts' });
  });

  it('finds extensionless imports and folder indexes in ES modules, which Node would not', () => {
    expect(resolver.resolve('./user.entity', from, 'import')).toEqual({ kind: 'file', path: '/p/src/user.entity.ts' });
    expect(resolver.resolve('./entities', from, 'import')).toEqual({ kind: 'file', path: '/p/src/entities/index.ts' });
    expect(resolver.resolve('./plain.js', from, 'import')).toEqual({ kind: 'file', path: '/p/src/plain.js' });
  });

  it('lists what it looked for when nothing is there', () => {
    const missing = resolver.resolve('./missing.entity.js', from, 'require');
    expect(missing).toEqual({ kind: 'node', tried: ['/p/src/missing.entity.ts', '/p/src/missing.entity.tsx', '/p/src/missing.entity.js'] });
    const extensionless = resolver.resolve('./missing', from, 'require');
    expect(extensionless.kind === 'node' && extensionless.tried?.slice(0, 2)).toEqual(['/p/src/missing.ts', '/p/src/missing.tsx']);
  });
});

describe('UserModuleResolver: bare imports', () => {
  const resolver = resolverOf({
    '/ws/tsconfig.base.json': json({
      compilerOptions: { paths: { '@org/domain': ['libs/domain/src/index.ts'], '@org/shared/*': ['libs/shared/src/*'], '@org/gone': ['libs/gone/src/index.ts'] } },
    }),
    '/ws/apps/api/tsconfig.json': json({ extends: '../../tsconfig.base.json' }),
    '/ws/libs/domain/src/index.ts': '',
    '/ws/libs/shared/src/money.ts': '',
    '/ws/node_modules/typeorm/package.json': json({ exports: { '.': { node: { require: './index.js', import: './index.mjs' } } } }),
  });
  const from = '/ws/apps/api/src/data-source.ts';

  it('follows tsconfig paths inherited through extends, exact and wildcard', () => {
    expect(resolver.resolve('@org/domain', from, 'require')).toEqual({ kind: 'file', path: '/ws/libs/domain/src/index.ts' });
    expect(resolver.resolve('@org/shared/money', from, 'import')).toEqual({ kind: 'file', path: '/ws/libs/shared/src/money.ts' });
    expect(resolver.resolve('@org/shared/money.js', from, 'import')).toEqual({ kind: 'file', path: '/ws/libs/shared/src/money.ts' });
  });

  it('resolves imports relative to baseUrl when a file is there, and leaves the rest to Node', () => {
    const withBaseUrl = resolverOf({
      '/ws/tsconfig.json': json({ compilerOptions: { baseUrl: './src' } }),
      '/ws/src/entities/user.entity.ts': '',
    });
    expect(withBaseUrl.resolve('entities/user.entity', '/ws/src/data-source.ts', 'require')).toEqual({ kind: 'file', path: '/ws/src/entities/user.entity.ts' });
    expect(withBaseUrl.resolve('typeorm', '/ws/src/data-source.ts', 'require')).toEqual({ kind: 'node' });
  });

  it('leaves packages to Node, and says what an alias without a target looked for', () => {
    expect(resolver.resolve('typeorm', from, 'require')).toEqual({ kind: 'node' });
    expect(resolver.resolve('node:path', from, 'import')).toEqual({ kind: 'node' });
    const gone = resolver.resolve('@org/gone', from, 'require');
    expect(gone.kind === 'node' && gone.tried?.[0]).toBe('/ws/libs/gone/src/index.ts');
  });

  it('follows a package export under the tsconfig customConditions (Nx npm workspaces), and only then', () => {
    const workspace = resolverOf({
      '/ws/tsconfig.base.json': json({ compilerOptions: { customConditions: ['development'] } }),
      '/ws/apps/api/tsconfig.json': json({ extends: '../../tsconfig.base.json' }),
      '/ws/node_modules/@org/domain/package.json': json({
        exports: { '.': { development: './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
      }),
      '/ws/node_modules/@org/domain/src/index.ts': '',
      '/ws/node_modules/typeorm/package.json': json({ exports: { '.': { require: './index.js' } } }),
    });
    expect(workspace.resolve('@org/domain', from, 'import')).toEqual({ kind: 'file', path: '/ws/node_modules/@org/domain/src/index.ts' });
    expect(workspace.resolve('typeorm', from, 'require')).toEqual({ kind: 'node' });
  });
});

describe('matchPaths', () => {
  const paths = { '@org/*': ['/a/*'], '@org/ui/*': ['/ui/*', '/ui2/*'], '@org/exact': ['/exact'] };
  it('prefers an exact pattern, then the longest prefix, and substitutes the wildcard', () => {
    expect(matchPaths('@org/exact', paths)).toEqual(['/exact']);
    expect(matchPaths('@org/ui/button', paths)).toEqual(['/ui/button', '/ui2/button']);
    expect(matchPaths('@org/data', paths)).toEqual(['/a/data']);
    expect(matchPaths('lodash', paths)).toEqual([]);
  });
});

describe('splitPackageRequest', () => {
  it('separates the package name from the subpath', () => {
    expect(splitPackageRequest('@org/lib/sub/x')).toEqual({ name: '@org/lib', subpath: './sub/x' });
    expect(splitPackageRequest('typeorm')).toEqual({ name: 'typeorm', subpath: '.' });
    expect(splitPackageRequest('@org')).toEqual({ name: undefined, subpath: '.' });
  });
});

describe('resolveExports', () => {
  it('picks the first listed condition that applies, nested, with default last', () => {
    const exports = { '.': { development: './src/index.ts', node: { import: './esm.mjs', require: './cjs.js' }, default: './dist/index.js' } };
    expect(resolveExports(exports, '.', ['development', 'import', 'node'])).toBe('./src/index.ts');
    expect(resolveExports(exports, '.', ['require', 'node'])).toBe('./cjs.js');
    expect(resolveExports(exports, '.', ['browser'])).toBe('./dist/index.js');
  });

  it('handles a bare string, subpath patterns, arrays and null targets', () => {
    expect(resolveExports('./main.js', '.', [])).toBe('./main.js');
    expect(resolveExports({ './*': { development: './src/*.ts' } }, './money', ['development'])).toBe('./src/money.ts');
    expect(resolveExports({ './lib/*': './lib/*.js', './lib/private/*': null }, './lib/private/x', [])).toBeUndefined();
    expect(resolveExports({ '.': [{ worker: './w.js' }, './fallback.js'] }, '.', [])).toBe('./fallback.js');
    expect(resolveExports({ '.': './main.js' }, './other', [])).toBeUndefined();
  });
});

describe('UserModuleResolver: what it asks the disk', () => {
  it('tries the extensions in TypeScript order up to the first file found, and reads a real path once', () => {
    const memory = memoryReader({ '/p/src/e1.entity.js': '', '/p/src/entities/e2.entity.js': '' });
    const asked: string[] = [];
    const reader = {
      ...memory,
      isFile: (path: string) => (asked.push(`isFile ${path}`), memory.isFile(path)),
      realPath: (path: string) => (asked.push(`realPath ${path}`), memory.realPath(path)),
    };
    const resolver = new UserModuleResolver(reader, new TsconfigReader(memory));
    expect(resolver.resolve('./e1.entity', '/p/src/data-source.js', 'require')).toEqual({ kind: 'file', path: '/p/src/e1.entity.js' });
    expect(resolver.resolve('../e1.entity', '/p/src/entities/e2.entity.js', 'require')).toEqual({ kind: 'file', path: '/p/src/e1.entity.js' });
    const first = ['.ts', '.tsx', '.mts', '.cts', '.js'].map((extension) => `isFile /p/src/e1.entity${extension}`);
    expect(asked).toEqual([...first, 'realPath /p/src/e1.entity.js', ...first]);
  });
});
