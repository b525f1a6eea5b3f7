import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import type { FileReader } from './file-system';
import type { TsconfigReader } from './tsconfig';

/**
 * Where an import in a user's file leads, the way the TypeScript compiler that checked it says it does, for what
 * Node alone would get wrong:
 * - a relative import written with `.js` (NodeNext style, also in CommonJS projects) leads to the `.ts` source beside
 *   it: `./user.entity.js` -> `user.entity.ts` (`.mjs` -> `.mts`, `.cjs` -> `.cts`, `.jsx` -> `.tsx`);
 * - in an ES module, an import without extension or of a folder leads to the file or its `index` (TypeScript's
 *   `bundler` resolution; Node's ES loader would not look);
 * - a bare import matching the tsconfig's `paths` (inherited through `extends`) leads to the alias's target,
 *   `baseUrl` too;
 * - a package whose `exports` name one of the tsconfig's `customConditions` (Nx's `development` condition pointing
 *   at a workspace library's sources) leads where that condition says.
 * Everything else is Node's to resolve (`node`): packages, JSON, built-ins.
 */
export type ResolveMode = 'require' | 'import';

export type Resolution =
  | { readonly kind: 'file'; readonly path: string }
  /** Not ours to change: Node resolves it. `tried` lists what we looked for when Node may well fail too. */
  | { readonly kind: 'node'; readonly tried?: readonly string[] };

const TYPESCRIPT_OF: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
};

/** Extensions tried after an import without one, in TypeScript's order of preference. */
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'] as const;

export class UserModuleResolver {
  private readonly manifests = new Map<string, PackageManifest | null>();
  private readonly realPaths = new Map<string, string>();

  constructor(
    private readonly files: FileReader,
    private readonly tsconfigs: TsconfigReader,
  ) {}

  resolve(request: string, parentFile: string, mode: ResolveMode): Resolution {
    if (isRelative(request) || isAbsolute(request)) return this.resolvePath(resolve(dirname(parentFile), request), mode);
    if (request.startsWith('node:') || request.startsWith('#')) return { kind: 'node' };
    const settings = this.tsconfigs.forDirectory(dirname(parentFile));
    if (!settings) return { kind: 'node' };
    const tried: string[] = [];
    for (const target of matchPaths(request, settings.paths ?? {})) {
      const found = this.resolveFileOrFolder(target, tried);
      if (found) return { kind: 'file', path: this.realPath(found) };
    }
    if (settings.baseUrl !== undefined) {
      const found = this.resolveFileOrFolder(join(settings.baseUrl, request), []);
      if (found) return { kind: 'file', path: this.realPath(found) };
    }
    if (settings.customConditions.length > 0) {
      const found = this.resolveWithConditions(request, parentFile, settings.customConditions, mode);
      if (found) return { kind: 'file', path: this.realPath(found) };
    }
    return tried.length > 0 ? { kind: 'node', tried } : { kind: 'node' };
  }

  private resolvePath(path: string, mode: ResolveMode): Resolution {
    const tried: string[] = [];
    // CommonJS: Node's own search finds files without extension and folders; only the `.js` -> `.ts` step is ours.
    const found = mode === 'import' || !hasScriptExtension(path) ? this.resolveFileOrFolder(path, tried) : this.resolveTypescriptSource(path, tried);
    if (found) return { kind: 'file', path: this.realPath(found) };
    if (mode === 'require' && hasScriptExtension(path)) tried.push(path);
    return { kind: 'node', tried };
  }

  /** The `.ts` source of a `.js` path, when there is one. */
  private resolveTypescriptSource(path: string, tried: string[]): string | undefined {
    const extension = extname(path);
    for (const typescript of TYPESCRIPT_OF[extension] ?? []) {
      const candidate = path.slice(0, -extension.length) + typescript;
      tried.push(candidate);
      if (this.files.isFile(candidate)) return candidate;
    }
    return undefined;
  }

  /**
   * A file as TypeScript finds it: the `.ts` of a `.js`, or the path itself when it has a script's extension; else
   * the path with an extension, or the folder's index.
   */
  private resolveFileOrFolder(path: string, tried: string[]): string | undefined {
    const source = this.resolveTypescriptSource(path, tried);
    if (source) return source;
    // Candidates are made as they are tried: most imports are found among the first few (`.ts`, `.js`).
    const found = (candidate: string): boolean => {
      tried.push(candidate);
      return this.files.isFile(candidate);
    };
    if (hasScriptExtension(path)) return found(path) ? path : undefined;
    for (const extension of EXTENSIONS) if (found(`${path}${extension}`)) return `${path}${extension}`;
    for (const extension of EXTENSIONS) if (found(join(path, `index${extension}`))) return join(path, `index${extension}`);
    return found(path) ? path : undefined;
  }

  /** A found file's real path, remembered for the process as Node's own resolver remembers it. */
  private realPath(path: string): string {
    let real = this.realPaths.get(path);
    if (real === undefined) this.realPaths.set(path, (real = this.files.realPath(path)));
    return real;
  }

  private resolveWithConditions(
    request: string,
    parentFile: string,
    customConditions: readonly string[],
    mode: ResolveMode,
  ): string | undefined {
    const { name, subpath } = splitPackageRequest(request);
    if (!name) return undefined;
    for (let folder = dirname(parentFile); ; folder = dirname(folder)) {
      if (basename(folder) !== 'node_modules') {
        const root = join(folder, 'node_modules', name);
        const manifest = this.manifest(join(root, 'package.json'));
        if (manifest) {
          // Only packages that name a custom condition are ours; Node resolves the rest as always.
          if (manifest.exports === undefined || !mentionsAny(manifest.exports, customConditions)) return undefined;
          const target = resolveExports(manifest.exports, subpath, [...customConditions, mode, 'node']);
          return target === undefined ? undefined : this.resolveFileOrFolder(join(root, target), []);
        }
      }
      if (dirname(folder) === folder) return undefined;
    }
  }

  private manifest(file: string): PackageManifest | undefined {
    let found = this.manifests.get(file);
    if (found === undefined) {
      const text = this.files.readText(file);
      try {
        found = text === undefined ? null : (JSON.parse(text) as PackageManifest);
      } catch {
        found = null;
      }
      this.manifests.set(file, found);
    }
    return found ?? undefined;
  }
}

interface PackageManifest {
  readonly exports?: unknown;
}

function hasScriptExtension(path: string): boolean {
  const extension = extname(path);
  return (EXTENSIONS as readonly string[]).includes(extension) || extension in TYPESCRIPT_OF;
}

function isRelative(request: string): boolean {
  return request === '.' || request === '..' || request.startsWith('./') || request.startsWith('../');
}

/**
 * The targets of the first `paths` pattern matching `request`, as TypeScript picks it: an exact pattern first, else
 * the wildcard pattern with the longest prefix; `*` in the targets takes what the wildcard matched.
 */
export function matchPaths(request: string, paths: Readonly<Record<string, readonly string[]>>): readonly string[] {
  if (Object.prototype.hasOwnProperty.call(paths, request) && !request.includes('*')) return paths[request];
  let best: { pattern: string; matched: string } | undefined;
  for (const pattern of Object.keys(paths)) {
    const star = pattern.indexOf('*');
    if (star < 0) continue;
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (request.length >= prefix.length + suffix.length && request.startsWith(prefix) && request.endsWith(suffix)) {
      if (!best || prefix.length > best.pattern.indexOf('*')) {
        best = { pattern, matched: request.slice(prefix.length, request.length - suffix.length) };
      }
    }
  }
  if (!best) return [];
  const { pattern, matched } = best;
  return paths[pattern].map((target) => target.replace('*', matched));
}

/** `@org/lib/sub` -> `@org/lib` and `./sub`; `lib` -> `lib` and `.`. */
export function splitPackageRequest(request: string): { name: string | undefined; subpath: string } {
  const parts = request.split('/');
  const length = request.startsWith('@') ? 2 : 1;
  if (parts.length < length || parts.slice(0, length).some((part) => part.length === 0)) return { name: undefined, subpath: '.' };
  const rest = parts.slice(length).join('/');
  return { name: parts.slice(0, length).join('/'), subpath: rest ? `./${rest}` : '.' };
}

/**
 * Node's resolution of a package's `exports` for `subpath` (`.` or `./x`) under `conditions`, in the order the
 * package lists them: exact subpaths first, else the `*` pattern with the longest prefix. Returns the package-relative
 * target (`./src/index.ts`), undefined when nothing matches.
 */
export function resolveExports(exports: unknown, subpath: string, conditions: readonly string[]): string | undefined {
  const map = isSubpathMap(exports) ? (exports as Record<string, unknown>) : { '.': exports };
  if (Object.prototype.hasOwnProperty.call(map, subpath) && !subpath.includes('*')) {
    return resolveTarget(map[subpath], undefined, conditions);
  }
  let best: { key: string; matched: string } | undefined;
  for (const key of Object.keys(map)) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.length >= key.length - 1 && subpath.startsWith(prefix) && subpath.endsWith(suffix)) {
      if (!best || prefix.length > best.key.indexOf('*')) {
        best = { key, matched: subpath.slice(prefix.length, subpath.length - suffix.length) };
      }
    }
  }
  return best ? resolveTarget(map[best.key], best.matched, conditions) : undefined;
}

function isSubpathMap(exports: unknown): boolean {
  if (!exports || typeof exports !== 'object' || Array.isArray(exports)) return false;
  return Object.keys(exports).some((key) => key.startsWith('.'));
}

function resolveTarget(target: unknown, matched: string | undefined, conditions: readonly string[]): string | undefined {
  if (typeof target === 'string') return matched === undefined ? target : target.split('*').join(matched);
  if (Array.isArray(target)) {
    for (const candidate of target) {
      const found = resolveTarget(candidate, matched, conditions);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (target && typeof target === 'object') {
    for (const [condition, value] of Object.entries(target)) {
      if (condition !== 'default' && !conditions.includes(condition)) continue;
      const found = resolveTarget(value, matched, conditions);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function mentionsAny(exports: unknown, conditions: readonly string[]): boolean {
  if (!exports || typeof exports !== 'object') return false;
  return Object.entries(exports).some(([key, value]) => conditions.includes(key) || mentionsAny(value, conditions));
}
