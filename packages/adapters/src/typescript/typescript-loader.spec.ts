import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import { ImportNotFoundError, ModuleLoadError } from './load-errors';
import {
  forgetResolutionSettings,
  loadUserModule,
  requireFrom,
  runsAsIs,
  saveCompiledCode,
  transpileAhead,
  transpileCacheFile,
  TypeScriptSyntaxError,
  withTranspileCache,
} from './typescript-loader';

describe('loadUserModule', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ntm-loader-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs TypeScript with legacy decorators, decorator metadata and imports of other TypeScript files', () => {
    writeFileSync(
      join(dir, 'mark.ts'),
      `export const marks: Array<[string, unknown]> = [];
       export function Mark(): PropertyDecorator {
         return (target, key) => { marks.push([String(key), (Reflect as any).getMetadata?.('design:type', target, key)]); };
       }`,
    );
    writeFileSync(
      join(dir, 'entity.ts'),
      `import { Mark, marks } from './mark';
       (Reflect as any).getMetadata ??= (kind: string, target: any, key: string) => (target as any)['__' + kind + key];
       (Reflect as any).metadata ??= (kind: string, value: unknown) => (target: any, key: string) => { target['__' + kind + key] = value; };
       export class User { @Mark() name!: string; }
       export const seen = marks;`,
    );
    const loaded = loadUserModule(join(dir, 'entity.ts'));
    expect((loaded['User'] as { name: string }).name).toBe('User');
    const seen = loaded['seen'] as Array<[string, { name: string }]>;
    // `String` of Node's realm, not Jest's sandbox: compare by name.
    expect(seen.map(([key, type]) => [key, type.name])).toEqual([['name', 'String']]);
  });

  it('runs ES module JavaScript (.mjs) as CommonJS', () => {
    writeFileSync(join(dir, 'value.mjs'), `export default 41; export const plus = (n) => n + 1;`);
    const loaded = loadUserModule(join(dir, 'value.mjs')) as { default: number; plus(n: number): number };
    expect(loaded.plus(loaded.default)).toBe(42);
  });

  it('runs the file afresh each time, so an edited file is never served from a cache', () => {
    const file = join(dir, 'version.ts');
    writeFileSync(file, `export const version: number = 1;`);
    expect(loadUserModule(file)['version']).toBe(1);
    writeFileSync(file, `export const version: number = 2;`);
    expect(loadUserModule(file)['version']).toBe(2);
  });

  it('names the file and the problem on a syntax error', () => {
    const file = join(dir, 'broken.ts');
    writeFileSync(file, `export const x = ;`);
    expect(() => loadUserModule(file)).toThrow(TypeScriptSyntaxError);
    try {
      loadUserModule(file);
    } catch (error) {
      expect((error as TypeScriptSyntaxError).file).toBe(file);
      expect((error as Error).message).toContain(file);
      expect((error as TypeScriptSyntaxError).detail).not.toMatch(/\u001b/);
    }
  });

  it('resolves packages from the user file, not from this package', () => {
    const project = join(dir, 'project');
    const pkg = join(project, 'node_modules', 'typeorm');
    require('node:fs').mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'index.js'), `exports.whose = 'the project copy'; exports.registry = {};`);
    writeFileSync(
      join(project, 'data-source.ts'),
      `import { registry, whose } from 'typeorm'; export const copy: string = whose; export { registry };`,
    );
    const loaded = loadUserModule(join(project, 'data-source.ts'));
    expect(loaded['copy']).toBe('the project copy');
    const required = requireFrom<{ whose: string; registry: object }>(join(project, 'data-source.ts'), 'typeorm');
    expect(required.whose).toBe('the project copy');
    // The very instance the user's file got (Node's module cache), not a second copy from Jest's registry.
    expect(required.registry).toBe(loaded['registry']);
  });
});

describe('transpileAhead', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ntm-ahead-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    const cache = transpileCacheFile(dir);
    if (cache) rmSync(cache, { force: true });
  });

  const source = (name: string, value: number) => ({ file: join(dir, name), text: `export const value: number = ${value};` });

  it('keeps the code of the folder files in a cache file, and drops the entries of files that are gone', async () => {
    const cache = transpileCacheFile(dir)!;
    expect(cache).toContain(join('node_modules', '.cache', 'nx-typeorm-migrations'));
    await transpileAhead([source('a.ts', 1), source('b.ts', 2)], dir);
    const first = JSON.parse(readFileSync(cache, 'utf8')) as Record<string, string>;
    expect(Object.keys(first)).toHaveLength(2);
    expect(Object.values(first).every((code) => code.includes('value'))).toBe(true);
    await transpileAhead([source('a.ts', 1)], dir);
    const second = JSON.parse(readFileSync(cache, 'utf8')) as Record<string, string>;
    expect(Object.keys(second)).toEqual(Object.keys(first).filter((key) => first[key].includes('= 1')));
  });

  it('serves a later process from the cache file instead of transpiling', async () => {
    const file = join(dir, 'served.ts');
    const text = `export const value: number = 1;`;
    writeFileSync(file, text);
    await transpileAhead([{ file, text }], dir);
    const cache = transpileCacheFile(dir)!;
    const entries = JSON.parse(readFileSync(cache, 'utf8')) as Record<string, string>;
    const [key] = Object.keys(entries);
    // What a cached entry says is what runs: proof that the second loader read the file rather than transpiling.
    writeFileSync(cache, JSON.stringify({ [key]: `"use strict"; exports.value = 'from the cache';` }));
    let fresh: typeof import('./typescript-loader') | undefined;
    jest.isolateModules(() => {
      fresh = require('./typescript-loader');
    });
    await fresh!.transpileAhead([{ file, text }], dir);
    expect(fresh!.loadUserModule(file, text)['value']).toBe('from the cache');
  });

  it('leaves a syntax error for loading to report, with the usual message', async () => {
    const broken = { file: join(dir, 'broken.ts'), text: 'export const x = ;' };
    await transpileAhead([broken, source('fine.ts', 3)], dir);
    expect(() => loadUserModule(broken.file, broken.text)).toThrow(TypeScriptSyntaxError);
    const entries = Object.values(JSON.parse(readFileSync(transpileCacheFile(dir)!, 'utf8')) as Record<string, string>);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toContain('= 3');
  });
});

describe('withTranspileCache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ntm-scope-'));
  });
  afterEach(() => {
    const cache = transpileCacheFile(join(dir, 'data-source.ts'));
    if (cache) rmSync(cache, { force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the code of every file loaded inside it, and a later process runs that code without transpiling', async () => {
    const scope = join(dir, 'data-source.ts');
    writeFileSync(join(dir, 'entity.ts'), `export const entity: string = 'transpiled';`);
    writeFileSync(scope, `import { entity } from './entity';\nexport const seen: string = entity;`);
    const first = await withTranspileCache(scope, async () => loadUserModule(scope));
    expect(first['seen']).toBe('transpiled');
    const cache = transpileCacheFile(scope)!;
    const entries = JSON.parse(readFileSync(cache, 'utf8')) as Record<string, string>;
    expect(Object.keys(entries)).toHaveLength(2);
    // Swap the cached code of entity.ts: what runs next is what the cache holds.
    const entityKey = Object.keys(entries).find((key) => entries[key].includes("'transpiled'"))!;
    writeFileSync(cache, JSON.stringify({ ...entries, [entityKey]: `"use strict"; exports.entity = 'from the cache';` }));
    let fresh: typeof import('./typescript-loader') | undefined;
    jest.isolateModules(() => {
      fresh = require('./typescript-loader');
    });
    const second = await fresh!.withTranspileCache(scope, async () => {
      // Node's module cache still holds entity.ts from the first load; a new process would not.
      delete require('node:module')._cache[join(dir, 'entity.ts')];
      return fresh!.loadUserModule(scope);
    });
    expect(second['seen']).toBe('from the cache');
  });

  it('runs compiled CommonJS JavaScript as it is, keeping only the files that needed transpiling', async () => {
    const scope = join(dir, 'data-source.js');
    writeFileSync(join(dir, 'entity.js'), `"use strict";\nexports.entity = 'as written';`);
    writeFileSync(join(dir, 'esm.js'), `export const esm = 'transpiled';`);
    writeFileSync(scope, `"use strict";\nexports.seen = require('./entity').entity + ', ' + require('./esm').esm;`);
    try {
      const loaded = await withTranspileCache(scope, async () => loadUserModule(scope));
      expect(loaded['seen']).toBe('as written, transpiled');
      const entries = Object.values(JSON.parse(readFileSync(transpileCacheFile(scope)!, 'utf8')) as Record<string, string>);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toContain("'transpiled'");
    } finally {
      rmSync(transpileCacheFile(scope)!, { force: true });
    }
  });

  it('rewrites the cache when a file changed, keeping only the files loaded this time', async () => {
    const scope = join(dir, 'data-source.ts');
    writeFileSync(scope, `export const version: number = 1;`);
    await withTranspileCache(scope, async () => loadUserModule(scope));
    writeFileSync(scope, `export const version: number = 2;`);
    const loaded = await withTranspileCache(scope, async () => loadUserModule(scope));
    expect(loaded['version']).toBe(2);
    const entries = Object.values(JSON.parse(readFileSync(transpileCacheFile(scope)!, 'utf8')) as Record<string, string>);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toContain('= 2');
  });
});

describe('code cache of a migrations folder', () => {
  let dir: string;
  let codeCacheFile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ntm-code-'));
    codeCacheFile = transpileCacheFile(dir)!.replace(/\.json$/, '.v8');
  });
  afterEach(() => {
    rmSync(transpileCacheFile(dir)!, { force: true });
    rmSync(codeCacheFile, { force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const migration = (name: string, value: number) => {
    const file = join(dir, name);
    const text = `export async function up(): Promise<number> { return ${value}; }`;
    writeFileSync(file, text);
    return { file, text };
  };
  const cachedKeys = () => (deserialize(readFileSync(codeCacheFile)) as Array<[string, Uint8Array]>).map(([key]) => key);
  /** A loader as a new process has it: nothing compiled or remembered yet. */
  const freshLoader = () => {
    let fresh: typeof import('./typescript-loader') | undefined;
    jest.isolateModules(() => {
      fresh = require('./typescript-loader');
    });
    return fresh!;
  };

  it('keeps the compiled code of the files loaded, and a later process compiles from it without rewriting it', async () => {
    const files = [migration('a.ts', 1), migration('b.ts', 2)];
    await transpileAhead(files, dir);
    const ups = files.map(({ file, text }) => loadUserModule(file, text)['up'] as () => Promise<number>);
    expect(await Promise.all(ups.map((up) => up()))).toEqual([1, 2]);
    saveCompiledCode();
    expect(cachedKeys()).toHaveLength(2);
    const written = statSync(codeCacheFile).ino;

    const later = freshLoader();
    await later.transpileAhead(files, dir);
    const up = later.loadUserModule(files[1].file, files[1].text)['up'] as () => Promise<number>;
    expect(await up()).toBe(2);
    later.saveCompiledCode();
    // Every file loaded was served from the cache (a rejected or missing entry makes it write a new file).
    expect(statSync(codeCacheFile).ino).toBe(written);
  });

  it('compiles a changed file afresh, and drops the entries of files that are gone', async () => {
    const files = [migration('a.ts', 1), migration('b.ts', 2)];
    await transpileAhead(files, dir);
    for (const { file, text } of files) loadUserModule(file, text);
    saveCompiledCode();
    const before = cachedKeys();

    const later = freshLoader();
    const changed = [migration('a.ts', 10)];
    await later.transpileAhead(changed, dir);
    const up = later.loadUserModule(changed[0].file, changed[0].text)['up'] as () => Promise<number>;
    expect(await up()).toBe(10);
    later.saveCompiledCode();
    const after = cachedKeys();
    expect(after).toHaveLength(1);
    expect(before).not.toContain(after[0]);
  });

  it('ignores a damaged cache file and writes a good one', async () => {
    const files = [migration('a.ts', 1)];
    mkdirSync(join(codeCacheFile, '..'), { recursive: true });
    writeFileSync(codeCacheFile, 'not a code cache');
    await transpileAhead(files, dir);
    expect(await (loadUserModule(files[0].file, files[0].text)['up'] as () => Promise<number>)()).toBe(1);
    saveCompiledCode();
    expect(cachedKeys()).toHaveLength(1);
  });

  it('runs a module compiled from the cache as Node would: its own file name, require, __dirname and import()', async () => {
    mkdirSync(join(dir, 'node_modules', 'helper'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'helper', 'index.js'), `exports.name = 'the folder copy';`);
    writeFileSync(join(dir, 'shared.ts'), `export const shared: string = 'sibling';`);
    const file = join(dir, 'rich.ts');
    const text = [
      `import { name } from 'helper';`,
      `import { shared } from './shared';`,
      `export const seen = [name, shared, __dirname, __filename, require.resolve('./shared')];`,
      `export async function up(): Promise<string> { return (await import('node:path')).basename(__filename); }`,
      `export function fail(): never { throw new Error('from the migration'); }`,
    ].join('\n');
    writeFileSync(file, text);
    await transpileAhead([{ file, text }], dir);
    loadUserModule(file, text);
    saveCompiledCode();

    const later = freshLoader();
    await later.transpileAhead([{ file, text }], dir);
    const loaded = later.loadUserModule(file, text);
    expect(loaded['seen']).toEqual(['the folder copy', 'sibling', dir, file, join(dir, 'shared.ts')]);
    expect(await (loaded['up'] as () => Promise<string>)()).toBe('rich.ts');
    let stack = '';
    try {
      (loaded['fail'] as () => never)();
    } catch (error) {
      stack = String((error as Error).stack);
    }
    expect(stack).toContain(`${file}:`);
  });
});

describe('loadUserModule: imports as TypeScript resolves them', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ntm-resolve-'));
    forgetResolutionSettings();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  it('leads .js imports to .ts sources in a CommonJS project (NodeNext style)', () => {
    write('app/package.json', JSON.stringify({ name: 'app' }));
    write('app/src/user.entity.ts', `export class User { readonly kind: string = 'user'; }`);
    write('app/src/index.ts', `export * from './user.entity.js';`);
    write('app/src/post.entity.ts', `import { User } from './index.js'; export const author = new User();`);
    expect((loadUserModule(join(dir, 'app/src/post.entity.ts'))['author'] as { kind: string }).kind).toBe('user');
  });

  it('follows a paths alias of the workspace tsconfig.base.json from a library extending it', () => {
    write('tsconfig.base.json', JSON.stringify({ compilerOptions: { paths: { '@org/domain': ['libs/domain/src/index.ts'] } } }));
    write('libs/domain/src/index.ts', `export * from './lib/user.entity.js';`);
    write('libs/domain/src/lib/user.entity.ts', `export const table: string = 'users';`);
    write('apps/api/tsconfig.json', `{\n  // Nx writes comments here\n  "extends": "../../tsconfig.base.json",\n}\n`);
    write('apps/api/src/data-source.ts', `import { table } from '@org/domain'; export const tables = [table];`);
    expect(loadUserModule(join(dir, 'apps/api/src/data-source.ts'))['tables']).toEqual(['users']);
  });

  it('names the import, the importing file and what was looked for when an import leads nowhere', () => {
    write('src/post.entity.ts', `import { User } from './user.entity.js'; export const x = User;`);
    write('src/data-source.ts', `export * from './post.entity';`);
    let thrown: unknown;
    try {
      loadUserModule(join(dir, 'src/data-source.ts'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ImportNotFoundError);
    expect((thrown as ImportNotFoundError).file).toBe(join(dir, 'src/post.entity.ts'));
    expect((thrown as Error).message).toBe(
      `\`./user.entity.js\` imported by ${join(dir, 'src/post.entity.ts')} was not found ` +
        '(looked for ./user.entity.ts, ./user.entity.tsx, ./user.entity.js)',
    );
    expect(((thrown as Error).cause as NodeJS.ErrnoException).code).toBe('MODULE_NOT_FOUND');
  });

  it('lets user code that catches a missing optional module go on', () => {
    write('src/config.ts', `let local = 'none'; try { local = require('./local-config.js').name; } catch (error) { if ((error as any).code !== 'MODULE_NOT_FOUND') throw error; } export { local };`);
    expect(loadUserModule(join(dir, 'src/config.ts'))['local']).toBe('none');
  });

  it('names the innermost file whose loading threw, keeping what it threw as the cause', () => {
    write('src/user.entity.ts', `throw new TypeError('Column type for User#name is not defined');`);
    write('src/data-source.ts', `import './user.entity';`);
    let thrown: unknown;
    try {
      loadUserModule(join(dir, 'src/data-source.ts'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ModuleLoadError);
    expect((thrown as ModuleLoadError).file).toBe(join(dir, 'src/user.entity.ts'));
    expect((thrown as Error).message).toBe(`${join(dir, 'src/user.entity.ts')} failed while loading: Column type for User#name is not defined`);
    expect(((thrown as Error).cause as Error).name).toBe('TypeError');
  });
});

describe('runsAsIs', () => {
  const compiled = `"use strict";
var __decorate = (this && this.__decorate) || function () {};
Object.defineProperty(exports, "__esModule", { value: true });
exports.User = void 0;
/** The user. @see https://example.com */
const typeorm_1 = require("typeorm");
let User = class User {};
exports.User = User;
exports.User = User = __decorate([(0, typeorm_1.Entity)()], User);
module.exports.load = () => import('./lazy.js');`;

  it('runs compiled CommonJS JavaScript as it is', () => {
    expect(runsAsIs(compiled, '/p/user.entity.js', 'commonjs')).toBe(true);
    expect(runsAsIs(compiled, '/p/user.entity.cjs', 'commonjs')).toBe(true);
  });

  it('transpiles import and export statements in a CommonJS project, however they are laid out', () => {
    for (const source of [`import { x } from './x';`, `import 'reflect-metadata';`, `export default 1;`, `export { x };`, `const a = 1;export const b = a;`, `import x from "y"`]) {
      expect([source, runsAsIs(source, '/p/a.js', 'commonjs')]).toEqual([source, false]);
    }
  });

  it('transpiles decorators, in either module system, and TypeScript and .mjs always', () => {
    const decorated = `class User {\n  @Column()\n  name;\n}`;
    expect(runsAsIs(decorated, '/p/a.js', 'commonjs')).toBe(false);
    expect(runsAsIs(decorated, '/p/a.js', 'module')).toBe(false);
    expect(runsAsIs(`export const a = 1;`, '/p/a.js', 'module')).toBe(true);
    expect(runsAsIs(`exports.a = 1;`, '/p/a.ts', 'commonjs')).toBe(false);
    expect(runsAsIs(`exports.a = 1;`, '/p/a.mjs', 'commonjs')).toBe(false);
  });
});
