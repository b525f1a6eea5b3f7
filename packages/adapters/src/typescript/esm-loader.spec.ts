import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { innermostUserFile, loadUserModuleAsync } from './esm-loader';
import { ImportNotFoundError, ModuleLoadError } from './load-errors';
import { forgetResolutionSettings, TypeScriptSyntaxError } from './typescript-loader';

describe('loadUserModuleAsync', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ntm-esm-'));
    forgetResolutionSettings();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  it('runs a "type": "module" package as ES modules: export default, import.meta.url, top-level await, .js imports', async () => {
    write('lib/package.json', JSON.stringify({ name: '@org/lib', type: 'module' }));
    write('lib/src/user.entity.ts', `export class User { static readonly table: string = 'users'; }`);
    write('lib/src/settings.ts', `export const loadSettings = async (): Promise<{ schema: string }> => ({ schema: 'app' });`);
    write(
      'lib/src/data-source.ts',
      `import { fileURLToPath } from 'node:url';
       import { User } from './user.entity.js';
       import { loadSettings } from './settings';
       const settings = await loadSettings();
       export const here: string = fileURLToPath(new URL('.', import.meta.url));
       export const isModule: boolean = typeof module === 'undefined';
       export default { table: User.table, schema: settings.schema };`,
    );
    const loaded = await loadUserModuleAsync(join(dir, 'lib/src/data-source.ts'));
    expect(loaded['default']).toEqual({ table: 'users', schema: 'app' });
    expect(loaded['here']).toBe(join(dir, 'lib/src/'));
    expect(loaded['isModule']).toBe(true);
  });

  it('runs .mts as an ES module and .cts as CommonJS whatever the package says', async () => {
    write('app/package.json', JSON.stringify({ name: 'app' }));
    write('app/src/names.cts', `export const names: string[] = ['cts']; export const isCommonJs: boolean = typeof module !== 'undefined';`);
    write('app/src/data-source.mts', `import { names, isCommonJs } from './names.cjs';\nexport default [...names, 'mts', String(isCommonJs), typeof import.meta.url];`);
    expect((await loadUserModuleAsync(join(dir, 'app/src/data-source.mts')))['default']).toEqual(['cts', 'mts', 'true', 'string']);
  });

  it('runs an edited file again, and the text it is given rather than the one on disk', async () => {
    write('package.json', JSON.stringify({ type: 'module' }));
    const file = join(dir, 'version.ts');
    write('version.ts', `export const version: number = 1;`);
    expect((await loadUserModuleAsync(file))['version']).toBe(1);
    expect((await loadUserModuleAsync(file))['version']).toBe(1);
    expect((await loadUserModuleAsync(file, `export const version: number = 2;`))['version']).toBe(2);
  });

  it('names the import and the importing file when a .js import leads nowhere', async () => {
    write('package.json', JSON.stringify({ type: 'module' }));
    write('src/post.entity.ts', `import { User } from './user.entity.js';\nexport const author = User;`);
    write('src/data-source.ts', `export * from './post.entity.js';`);
    const loading = loadUserModuleAsync(join(dir, 'src/data-source.ts'));
    await expect(loading).rejects.toBeInstanceOf(ImportNotFoundError);
    await expect(loading).rejects.toThrow(
      `\`./user.entity.js\` imported by ${join(dir, 'src/post.entity.ts')} was not found (looked for ./user.entity.ts, ./user.entity.tsx, ./user.entity.js)`,
    );
  });

  it('names the file that does not compile, and the innermost file that threw', async () => {
    write('package.json', JSON.stringify({ type: 'module' }));
    write('src/broken.ts', `export const x = ;`);
    write('src/uses-broken.ts', `export * from './broken.js';`);
    const broken = loadUserModuleAsync(join(dir, 'src/uses-broken.ts'));
    await expect(broken).rejects.toBeInstanceOf(TypeScriptSyntaxError);
    await expect(broken).rejects.toMatchObject({ file: join(dir, 'src/broken.ts') });

    write('src/user.entity.ts', `export const ready = 1;\nthrow new Error('no column type for User#name');`);
    write('src/data-source.ts', `import './user.entity.js';\nexport default 1;`);
    const failing = loadUserModuleAsync(join(dir, 'src/data-source.ts'));
    await expect(failing).rejects.toBeInstanceOf(ModuleLoadError);
    await expect(failing).rejects.toMatchObject({ file: join(dir, 'src/user.entity.ts') });
    await expect(failing).rejects.toThrow(`${join(dir, 'src/user.entity.ts')} failed while loading: no column type for User#name`);
  });
});

describe('innermostUserFile', () => {
  it('skips node_modules and our own sources, and reads file URLs with a query', () => {
    const stack = [
      'Error: boom',
      '    at ColumnTypeUndefinedError (/ws/node_modules/typeorm/error/ColumnTypeUndefinedError.js:10:9)',
      `    at file://${pathToFileURL('/ws/libs/domain/src/user.entity.ts').pathname}?ntm-text=ab12:7:3`,
      '    at loadUserModuleAsync (/repo/packages/adapters/src/typescript/esm-loader.ts:1:1)',
    ].join('\n');
    expect(innermostUserFile({ stack })).toBe('/ws/libs/domain/src/user.entity.ts');
    expect(innermostUserFile({ stack: 'Error: x\n    at f (/repo/packages/commands/src/migrate.ts:3:4)' })).toBeUndefined();
    expect(innermostUserFile('thrown text')).toBeUndefined();
  });
});

describe('loadUserModuleAsync across module systems', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ntm-esm-mixed-'));
    forgetResolutionSettings();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  it('lets an ES module import CommonJS TypeScript that requires further .ts files and JSON by their .js names', async () => {
    write('package.json', JSON.stringify({ name: 'app' }));
    write('src/columns.ts', `export const columns: string[] = ['id', 'email'];`);
    write('src/defaults.json', JSON.stringify({ schema: 'app' }));
    write('src/user.entity.ts', `import { columns } from './columns.js';\nimport defaults from './defaults.json';\nexport const user = { columns, schema: defaults.schema };`);
    write('src/data-source.mts', `import { user } from './user.entity.js';\nimport defaults from './defaults.json' with { type: 'json' };\nexport default { ...user, again: defaults.schema };`);
    expect((await loadUserModuleAsync(join(dir, 'src/data-source.mts')))['default']).toEqual({
      columns: ['id', 'email'],
      schema: 'app',
      again: 'app',
    });
  });

  it('names the CommonJS file an ES module imports when it throws', async () => {
    write('package.json', JSON.stringify({ name: 'app' }));
    write('src/user.entity.ts', `throw new Error('no column type for User#name');`);
    write('src/data-source.mts', `import './user.entity.js';\nexport default 1;`);
    const failing = loadUserModuleAsync(join(dir, 'src/data-source.mts'));
    await expect(failing).rejects.toBeInstanceOf(ModuleLoadError);
    await expect(failing).rejects.toThrow(`${join(dir, 'src/user.entity.ts')} failed while loading: no column type for User#name`);
  });
});
