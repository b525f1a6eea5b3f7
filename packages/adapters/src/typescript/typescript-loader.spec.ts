import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadUserModule, requireFrom, TypeScriptSyntaxError } from './typescript-loader';

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
