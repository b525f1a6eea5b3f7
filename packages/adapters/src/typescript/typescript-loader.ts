import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { Script, constants as vmConstants } from 'node:vm';
import type { Options } from '@swc/core';
import { packageCacheFile, writeCacheFile } from '../fs/tool-cache';
import { diskReader } from './file-system';
import { ModuleFormatReader, type ModuleFormat } from './module-format';
import { ImportNotFoundError, ModuleLoadError } from './load-errors';
import { UserModuleResolver } from './module-resolution';
import { TsconfigReader } from './tsconfig';
import { CodedError } from '../../../core/src/errors';

/**
 * Loads users' TypeScript and JavaScript (data sources, entities, migrations) with `@swc/core`, in the real Node
 * module system: imports resolve from the user's file, so the user's own `typeorm` is the copy that runs (entity
 * decorators register there). Never ts-node: transpiling is all we need, type-checking is the user's build's job.
 *
 * Node's own `require` is used even inside Jest (which replaces `require` with its own registry), so the tests run
 * exactly what users run.
 */

/** Extensions the require hook handles. Plain `.js` outside `node_modules` too: it may be ESM or have decorators (`runsAsIs`). */
const TRANSPILED_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.mjs', '.js'] as const;

type ModuleInternals = typeof Module & {
  register(specifier: string, options: { data?: unknown; transferList?: unknown[] }): void;
  _extensions: Record<string, (module: Module, filename: string) => void>;
  _cache: Record<string, Module>;
  _nodeModulePaths(directory: string): string[];
  _resolveFilename(request: string, parent: Module, isMain: boolean, options?: { paths?: string[] }): string;
  _resolveLookupPaths(request: string, parent: Module): string[] | null;
};
type CompilableModule = Module & { _compile(code: string, filename: string): void };

/**
 * Node's own `Module`. Inside Jest, `node:module` is a subclass of it whose static properties are copies: hooks set on
 * the copy (`_resolveFilename`) would never be called, so they go on the class it extends.
 */
export const nodeModule = ((): ModuleInternals => {
  let found = Module as ModuleInternals;
  for (let base = Object.getPrototypeOf(found); typeof base?._resolveFilename === 'function'; base = Object.getPrototypeOf(base)) {
    found = base as ModuleInternals;
  }
  return found;
})();

/** Transpiled code by sha256 of (file name kind + source): a migration loaded twice is transpiled once. */
const transpiled = new Map<string, string>();

export class TypeScriptSyntaxError extends CodedError {
  readonly code = 'SYNTAX_ERROR';
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

let swcModule: typeof import('@swc/core') | undefined;

/** `@swc/core`, loaded on the first file that is not in a transpile cache (its native binding costs about 35 ms). */
function swc(): typeof import('@swc/core') {
  return (swcModule ??= require('@swc/core') as typeof import('@swc/core'));
}

function swcOptions(filename: string, format: ModuleFormat): Options {
  const extension = extname(filename);
  const typescript = extension === '.ts' || extension === '.tsx' || extension === '.mts' || extension === '.cts';
  return {
    filename,
    swcrc: false,
    configFile: false,
    sourceMaps: false,
    jsc: {
      parser: typescript
        ? { syntax: 'typescript', decorators: true, tsx: extension === '.tsx' }
        : { syntax: 'ecmascript', decorators: true, jsx: false },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
      // `import data from './x.json' with { type: 'json' }`: Node's ES module loader needs the attribute.
      experimental: { keepImportAssertions: true },
    },
    // The annotation lists the exports for Node's cjs-module-lexer: an ES module importing a CommonJS file gets them by name.
    module: format === 'module' ? { type: 'es6' } : { type: 'commonjs', ignoreDynamic: true, exportInteropAnnotation: true },
  };
}

/** Keys by extension and module format, then by text: a text's hash is computed by V8 once, a concatenation's on every lookup. */
const keys = new Map<string, Map<string, string>>();

/**
 * sha256 of the file name's extension, the module format the code is transpiled to and the text, remembered per
 * text: a file's key is asked for several times.
 */
function cacheKey(source: string, filename: string, format: ModuleFormat): string {
  const kind = `${extname(filename)}\0${format}`;
  let byText = keys.get(kind);
  if (byText === undefined) keys.set(kind, (byText = new Map()));
  let key = byText.get(source);
  if (key === undefined) {
    key = createHash('sha256').update(kind).update('\0').update(source).digest('hex');
    byText.set(source, key);
  }
  return key;
}

/** Transpilations started by `transpileAhead` and not collected yet; a failed one settles to nothing. */
const ahead = new Map<string, Promise<void>>();

/** Bump when `swcOptions` changes what it emits: older cache files are then never read. */
const OUTPUT_FORMAT = 3;

/**
 * A transpile cache file: `transpiled-<swc version>-<format>/<sha256 of the path>.json` in the tool's cache folder,
 * for a folder of migrations or a data source (`withTranspileCache`), holding the code of their files by `cacheKey`.
 * A run reads it once and rewrites it only when the files changed; a missing, damaged or unwritable file only costs
 * the transpiling.
 */
export function transpileCacheFile(path: string): string | undefined {
  const name = createHash('sha256').update(resolve(path)).digest('hex').slice(0, 32);
  return packageCacheFile('@swc/core', (version) => join(`transpiled-${version}-${OUTPUT_FORMAT}`, `${name}.json`));
}

/**
 * One run's use of a transpile cache file: what the file held (`cached`), and the code this run used (`used`), which
 * `close` writes back when it differs; never an empty file, never an error (a read-only node_modules: the next run
 * transpiles again).
 */
class TranspileCacheRun {
  private readonly file: string | undefined;
  readonly cached: Record<string, string>;
  readonly used: Record<string, string> = {};

  constructor(path: string | undefined) {
    this.file = path === undefined ? undefined : transpileCacheFile(path);
    this.cached = this.file ? readTranspileCache(this.file) : {};
  }

  close(): void {
    const keys = Object.keys(this.used);
    const changed = keys.length !== Object.keys(this.cached).length || keys.some((key) => this.cached[key] !== this.used[key]);
    if (this.file && changed && keys.length > 0) writeCacheFile(this.file, JSON.stringify(this.used));
  }
}

function readTranspileCache(file: string): Record<string, string> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/**
 * Makes the code of files ready before they are loaded: from the transpile cache of `cacheFolder` (the folder the
 * files live in) when given, else by transpiling on libuv's thread pool (swc's asynchronous `transform`), which runs
 * on another core while this thread does something else (load the data source, connect). `transpile` and
 * `loadUserModule` then find the code ready; `whenTranspiled` waits for a file still in progress. A file that fails is
 * left for `transpile` to report, with the same message as without this. Resolves when all are done and the cache
 * file is written; nobody needs to wait for that.
 */
export function transpileAhead(
  sources: ReadonlyArray<{ readonly file: string; readonly text: string }>,
  cacheFolder?: string,
): Promise<void> {
  const run = new TranspileCacheRun(cacheFolder);
  const formats = sources.map(({ file }) => moduleFormatOf(file));
  const sourceKeys = sources.map(({ file, text }, index) => cacheKey(text, file, formats[index]));
  if (cacheFolder !== undefined) codeCache = CodeCacheRun.open(cacheFolder, sourceKeys);
  const started: Array<Promise<void>> = [];
  for (const [index, { file, text }] of sources.entries()) {
    const key = sourceKeys[index];
    const hit = run.cached[key];
    if (typeof hit === 'string') {
      if (!transpiled.has(key)) transpiled.set(key, hit);
      run.used[key] = hit;
      continue;
    }
    const known = transpiled.get(key);
    if (known !== undefined) {
      run.used[key] = known;
      continue;
    }
    let pending = ahead.get(key);
    if (!pending) {
      pending = swc().transform(text, swcOptions(file, formats[index])).then(
        (output) => {
          transpiled.set(key, output.code);
        },
        () => undefined,
      );
      ahead.set(key, pending);
    }
    started.push(
      pending.then(() => {
        const code = transpiled.get(key);
        if (code !== undefined) run.used[key] = code;
      }),
    );
  }
  return Promise.all(started).then(() => run.close());
}

/**
 * V8's code cache for the files `transpileAhead` was given with a folder (a project's migrations): their compiled
 * bytecode, kept next to the transpile cache (`<sha256 of the folder>.v8`), by the same key as their code. A module
 * compiled from it skips parsing and compiling, which for 1,000 small migrations is most of the time spent loading
 * them. Only files of that folder use it, each still compiled under its own file name (stack traces and debuggers
 * show the migration file). Node versions without `vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER` (needed for a
 * migration's `import()`) load as before.
 */
class CodeCacheRun {
  private readonly compiled = new Map<string, Script>();
  private stale = false;

  private constructor(
    private readonly file: string,
    private readonly keys: ReadonlySet<string>,
    private readonly cached: ReadonlyMap<string, Buffer>,
  ) {}

  static open(folder: string, keys: readonly string[]): CodeCacheRun | undefined {
    if (vmConstants?.USE_MAIN_CONTEXT_DEFAULT_LOADER === undefined) return undefined;
    const file = transpileCacheFile(folder)?.replace(/\.json$/, '.v8');
    return file === undefined ? undefined : new CodeCacheRun(file, new Set(keys), readCodeCache(file));
  }

  /** The compiled module wrapper of a file of the folder; undefined for any other file. */
  script(key: string, filename: string, code: string): Script | undefined {
    if (!this.keys.has(key)) return undefined;
    const cachedData = this.cached.get(key);
    const script = new Script(`${MODULE_WRAPPER_START}${code}${MODULE_WRAPPER_END}`, {
      filename,
      cachedData,
      importModuleDynamically: vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (cachedData === undefined || script.cachedDataRejected === true) this.stale = true;
    this.compiled.set(key, script);
    return script;
  }

  /**
   * Rewrites the cache file when a file of the folder was compiled without it: with everything compiled by now
   * (the `up`/`down` functions that ran too), and the entries of files not loaded this run kept. Never an error.
   */
  save(): void {
    if (!this.stale) return;
    this.stale = false;
    const entries: Array<[string, Buffer]> = [];
    for (const key of this.keys) {
      const script = this.compiled.get(key);
      const data = script ? script.createCachedData() : this.cached.get(key);
      if (data) entries.push([key, data]);
    }
    writeCacheFile(this.file, serialize(entries));
  }
}

const MODULE_WRAPPER_START = '(function (exports, require, module, __filename, __dirname) { ';
const MODULE_WRAPPER_END = '\n})';

function readCodeCache(file: string): Map<string, Buffer> {
  try {
    const entries = deserialize(readFileSync(file)) as unknown;
    if (!Array.isArray(entries)) return new Map();
    return new Map(
      entries.filter(
        (entry): entry is [string, Buffer] =>
          Array.isArray(entry) && typeof entry[0] === 'string' && entry[1] instanceof Uint8Array,
      ).map(([key, data]) => [key, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]),
    );
  } catch {
    return new Map();
  }
}

/** The code cache of the folder last given to `transpileAhead`. */
let codeCache: CodeCacheRun | undefined;

/**
 * Writes the code cache of the migrations loaded by this process when some were compiled without it; call once the
 * run is over, so that it holds the functions that ran.
 */
export function saveCompiledCode(): void {
  codeCache?.save();
}

/** Resolves once a transpilation `transpileAhead` started for this text has finished (at once when none did). */
export async function whenTranspiled(source: string, filename: string): Promise<void> {
  const key = cacheKey(source, filename, moduleFormatOf(filename));
  const pending = ahead.get(key);
  if (!pending) return;
  await pending;
  ahead.delete(key);
}

/** The cache run open now (`withTranspileCache`): every file transpiled or served while it runs is recorded. */
let recording: TranspileCacheRun | undefined;

/**
 * Runs `work` (loading a data source and what it imports) with the transpile cache named `scope`: the code of files
 * transpiled in an earlier run is taken from it (and `@swc/core` not even loaded when all are), and the cache is
 * rewritten afterwards when the files differ from last time. Files loaded later (entities TypeORM finds by a glob
 * when it connects) are transpiled as usual.
 */
export async function withTranspileCache<T>(scope: string, work: () => Promise<T>): Promise<T> {
  if (recording) return work();
  const run = new TranspileCacheRun(scope);
  for (const [key, code] of Object.entries(run.cached)) if (typeof code === 'string' && !transpiled.has(key)) transpiled.set(key, code);
  recording = run;
  try {
    return await work();
  } finally {
    recording = undefined;
    run.close();
  }
}

/** ES module syntax at the start of a statement: `import x from`, `import {`, `import '…'`, `export {`, `export const`. */
const MODULE_SYNTAX = /(?:^|[\s;})])(?:import\s*[\w${*'"]|export\s*[{*]|export\s+[\w$])/;
/** A decorator at the start of a line (`@Column()`); a JSDoc tag's line starts with `*`. */
const DECORATOR = /^[ \t]*@[\w$]/m;

/**
 * Whether JavaScript runs as Node runs it already: a `.js` or `.cjs` file (compiled entities, a package's `dist`)
 * with no decorator, and in CommonJS no `import`/`export` statement. Such files skip swc, hashing and the transpile
 * cache. The test errs towards transpiling: a comment or string that reads like a statement only costs the
 * transpilation every file had before.
 */
export function runsAsIs(source: string, filename: string, format: ModuleFormat): boolean {
  const extension = extname(filename);
  if (extension !== '.js' && extension !== '.cjs') return false;
  if (DECORATOR.test(source)) return false;
  return format === 'module' || !MODULE_SYNTAX.test(source);
}

/**
 * The code Node runs for a source file's text: the text itself when it `runsAsIs`, else its transpilation
 * (`transpile`).
 */
export function codeOf(source: string, filename: string, format: ModuleFormat = 'commonjs'): string {
  return runsAsIs(source, filename, format) ? source : transpile(source, filename, format);
}

/** The JavaScript for a source file's text, as CommonJS or an ES module. Throws `TypeScriptSyntaxError` naming the file. */
export function transpile(source: string, filename: string, format: ModuleFormat = 'commonjs'): string {
  const key = cacheKey(source, filename, format);
  const code = transpileByKey(key, source, filename, format);
  if (recording) recording.used[key] = code;
  return code;
}

function transpileByKey(key: string, source: string, filename: string, format: ModuleFormat): string {
  const cached = transpiled.get(key);
  if (cached !== undefined) return cached;
  let code: string;
  try {
    code = swc().transformSync(source, swcOptions(filename, format)).code;
  } catch (error) {
    throw new TypeScriptSyntaxError(filename, firstLineOf(String((error as Error).message ?? error)));
  }
  transpiled.set(key, code);
  return code;
}

/** swc's report reduced to one line: "Expression expected (line 2)". */
function firstLineOf(swcMessage: string): string {
  const lines = swcMessage.split('\n').map((line) => line.replace(/\u001b\[[0-9;]*m/g, ''));
  const problem = lines.find((line) => /^\s*[x×]\s/.test(line))?.replace(/^\s*[x×]\s+/, '').trim();
  const caret = lines.findIndex((line) => /^\s*:\s*\^/.test(line));
  const sourceLine = caret > 0 ? /^\s*(\d+)\s*\|/.exec(lines[caret - 1] ?? '') : null;
  const text = problem ?? lines.find((line) => line.trim().length > 0)?.trim() ?? 'cannot be parsed';
  return sourceLine ? `${text} (line ${sourceLine[1]})` : text;
}

/**
 * Where users' imports lead (`module-resolution.ts`): tsconfig files and package manifests are read once per process.
 * A long-lived process that edits them (a test) starts afresh with `forgetResolutionSettings`.
 */
let resolver: UserModuleResolver | undefined;
let formats: ModuleFormatReader | undefined;

export function userModuleResolver(): UserModuleResolver {
  return (resolver ??= new UserModuleResolver(diskReader, new TsconfigReader(diskReader)));
}

/** The module system the user's project runs `file` in (`module-format.ts`). */
export function moduleFormatOf(file: string): ModuleFormat {
  return (formats ??= new ModuleFormatReader(diskReader)).formatOf(file);
}

/** Drops what was read of tsconfig files and package manifests, so that edits made since are seen. */
export function forgetResolutionSettings(): void {
  resolver = undefined;
  formats = undefined;
}

/** `require` from a user's file: our answer where TypeScript's differs from Node's, else Node's (`nativeResolve`). */
function resolveForRequire(request: string, parentFile: string, nativeResolve: () => string): string {
  const resolution = userModuleResolver().resolve(request, parentFile, 'require');
  if (resolution.kind === 'file') return resolution.path;
  try {
    return nativeResolve();
  } catch (error) {
    if (resolution.tried && (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
      throw new ImportNotFoundError(request, parentFile, resolution.tried, { cause: error });
    }
    throw error;
  }
}

function isInNodeModules(file: string): boolean {
  return file.includes('/node_modules/') || file.includes('\\node_modules\\');
}

/**
 * The innermost user file whose loading threw each error (the first require hook the error passed through), so that
 * a failure deep in an entity names that entity rather than the data source.
 */
const failedWhileLoading = new WeakMap<object, string>();

/** What to throw for an error thrown while `filename` was loading: a `ModuleLoadError` naming the innermost file. */
export function loadFailure(error: unknown, filename: string): Error {
  if (error instanceof ImportNotFoundError || error instanceof TypeScriptSyntaxError || error instanceof ModuleLoadError) {
    return error;
  }
  const file = (error !== null && typeof error === 'object' && failedWhileLoading.get(error)) || filename;
  return new ModuleLoadError(file, { cause: error });
}

/**
 * The hooks are installed once per process, and send files to the `transpile` (and resolution) of the copy of this
 * module that loaded a file last: one copy in a CLI run; in tests, where Jest may hold several, the one at work.
 */
const HOOKED = Symbol.for('nx-typeorm-migrations.require-hook');
const TRANSPILER = Symbol.for('nx-typeorm-migrations.transpile');
const RESOLVER = Symbol.for('nx-typeorm-migrations.resolve');
type ProcessWide = typeof globalThis & {
  [HOOKED]?: boolean;
  [TRANSPILER]?: (source: string, filename: string) => string;
  [RESOLVER]?: typeof resolveForRequire;
};

/**
 * Teaches Node's `require` the extensions above and TypeScript's resolution (`.js` imports of `.ts` files, `paths`,
 * `customConditions`), once per process. Files and requests of `node_modules` keep Node's own behaviour.
 */
export function installRequireHook(): void {
  const processWide = globalThis as ProcessWide;
  processWide[TRANSPILER] = codeOf;
  processWide[RESOLVER] = resolveForRequire;
  if (processWide[HOOKED]) return;
  processWide[HOOKED] = true;
  const nativeJs = nodeModule._extensions['.js'];
  for (const extension of TRANSPILED_EXTENSIONS) {
    const native = nodeModule._extensions[extension] ?? nativeJs;
    nodeModule._extensions[extension] = (module, filename) => {
      if (isInNodeModules(filename)) {
        native(module, filename);
        return;
      }
      const code = processWide[TRANSPILER]!(readFileSync(filename, 'utf8'), filename);
      try {
        (module as CompilableModule)._compile(code, filename);
      } catch (error) {
        if (error !== null && typeof error === 'object' && !failedWhileLoading.has(error)) failedWhileLoading.set(error, filename);
        throw error;
      }
    };
  }
  const nativeResolve = nodeModule._resolveFilename;
  nodeModule._resolveFilename = function (request, parent, isMain, options) {
    const parentFile = parent?.filename;
    const native = () => nativeResolve.call(this, request, parent, isMain, options);
    if (typeof request !== 'string' || !parentFile || options?.paths || isInNodeModules(parentFile)) return native();
    return processWide[RESOLVER]!(request, parentFile, native);
  };
}

/**
 * Runs a user's file and returns its exports; an error while it runs is a `ModuleLoadError` naming the innermost user
 * file that failed (the cause kept), an import leading nowhere an `ImportNotFoundError`. The file itself is always run afresh from `source` (default: the file
 * on disk), so an edited migration is never served from a cache; what it imports goes through Node's module cache
 * as usual.
 */
export function loadUserModule(filename: string, source?: string): Record<string, unknown> {
  installRequireHook();
  const text = source ?? readFileSync(filename, 'utf8');
  const code = codeOf(text, filename);
  const module = new Module(filename) as CompilableModule;
  module.filename = filename;
  module.paths = nodeModule._nodeModulePaths(dirname(filename));
  const script = codeCache?.script(cacheKey(text, filename, 'commonjs'), filename, code);
  try {
    if (script) {
      const wrapper = script.runInThisContext({ displayErrors: true }) as ModuleWrapper;
      wrapper.call(module.exports, module.exports, requireOf(module), module, filename, dirname(filename));
    } else {
      module._compile(code, filename);
    }
  } catch (error) {
    throw loadFailure(error, filename);
  }
  module.loaded = true;
  return module.exports as Record<string, unknown>;
}

type ModuleWrapper = (
  exports: unknown,
  require: NodeJS.Require,
  module: Module,
  filename: string,
  dirname: string,
) => void;

/** The `require` Node gives a module it compiles itself: resolving from the module's own folder. */
function requireOf(module: Module): NodeJS.Require {
  const require = ((request: string) => module.require(request)) as NodeJS.Require;
  const resolveFrom = (request: string, options?: { paths?: string[] }) =>
    nodeModule._resolveFilename(request, module, false, options);
  require.resolve = Object.assign(resolveFrom, {
    paths: (request: string) => nodeModule._resolveLookupPaths(request, module),
  }) as NodeJS.RequireResolve;
  require.main = (process as { mainModule?: NodeJS.Module }).mainModule;
  require.extensions = nodeModule._extensions as unknown as NodeJS.RequireExtensions;
  require.cache = nodeModule._cache as unknown as NodeJS.Dict<NodeJS.Module>;
  return require;
}

/**
 * Resolves and loads a package the way the user's file at `fromFile` would (`typeorm`, `pg`). Through a module of
 * Node's own, not `Module.createRequire`: inside Jest that returns Jest's registry, a second copy of the package.
 */
export function requireFrom<T>(fromFile: string, request: string): T {
  installRequireHook();
  const module = new Module(fromFile);
  module.filename = fromFile;
  module.paths = nodeModule._nodeModulePaths(dirname(fromFile));
  return module.require(request) as T;
}
