import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { ImportNotFoundError, ModuleLoadError } from './load-errors';
import {
  codeOf,
  installRequireHook,
  loadFailure,
  loadUserModule,
  moduleFormatOf,
  nodeModule,
  requireFrom,
  TypeScriptSyntaxError,
  userModuleResolver,
} from './typescript-loader';

/**
 * Users' ES modules (`"type": "module"` packages, `.mts`): run by Node's own ES module loader, so `export default`,
 * `import.meta.url` and top-level `await` work as in the user's build. Node's loader learns TypeScript from hooks
 * (`module.register`), which Node runs on a thread of their own; they forward every question about a user's file to
 * this thread, which answers with the same resolution (`module-resolution.ts`) and transpiler (with its caches) as
 * CommonJS files get. Files of `node_modules` never reach this thread.
 */

/** What the hooks ask, and what this thread answers. */
type Question =
  | { readonly id: number; readonly kind: 'resolve'; readonly specifier: string; readonly parentURL: string }
  | { readonly id: number; readonly kind: 'load'; readonly url: string };
type Answer =
  | { readonly id: number; readonly url?: string; readonly format?: string; readonly source?: string }
  | { readonly id: number; readonly error: string; readonly code?: string };

/**
 * The hooks, as the source of an ES module (a `data:` URL needs no file of its own in the published package).
 * `initialize` gets the port to this thread; the port is referenced only while a question waits, so it never keeps a
 * process alive.
 */
/** How long a resolve question may wait for the main thread before Node resolves alone (`import.meta.resolve`). */
const RESOLVE_PATIENCE_MS = 20_000;

const HOOKS = `
let port;
let nextId = 0;
const waiting = new Map();
export function initialize(data) {
  port = data.port;
  port.on('message', (answer) => {
    const settle = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (waiting.size === 0) port.unref();
    settle?.(answer);
  });
  port.unref();
}
function ask(question, patience) {
  return new Promise((settle) => {
    const id = nextId++;
    waiting.set(id, settle);
    port.ref();
    port.postMessage({ ...question, id });
    if (patience !== undefined) {
      setTimeout(() => {
        if (!waiting.delete(id)) return;
        if (waiting.size === 0) port.unref();
        settle({ id, unanswered: true });
      }, patience).unref();
    }
  });
}
const ours = (url) => typeof url === 'string' && url.startsWith('file:') && !url.includes('/node_modules/');
function failure(answer) {
  const error = new Error(answer.error);
  if (answer.code) error.code = answer.code;
  return error;
}
export async function resolve(specifier, context, nextResolve) {
  if (!ours(context.parentURL)) return nextResolve(specifier, context);
  // import.meta.resolve asks synchronously: the main thread waits for this hook and cannot answer. After a while
  // (far longer than any answer takes) Node's own resolution answers instead of nobody.
  const answer = await ask({ kind: 'resolve', specifier, parentURL: context.parentURL }, ${RESOLVE_PATIENCE_MS});
  if (answer.unanswered) return nextResolve(specifier, context);
  if (answer.error !== undefined && answer.code === 'ERR_MODULE_NOT_FOUND' && answer.fallback) {
    try {
      return await nextResolve(specifier, context);
    } catch {
      throw failure(answer);
    }
  }
  if (answer.error !== undefined) throw failure(answer);
  if (answer.url) return { url: answer.url, format: answer.format, shortCircuit: true };
  return nextResolve(specifier, context);
}
export async function load(url, context, nextLoad) {
  if (!ours(url)) return nextLoad(url, context);
  const answer = await ask({ kind: 'load', url });
  if (answer.error !== undefined) throw failure(answer);
  if (answer.format === 'module') return { format: 'module', source: answer.source, shortCircuit: true };
  if (answer.format === 'commonjs') return { format: 'commonjs', source: answer.source, shortCircuit: true };
  return nextLoad(url, context);
}
`;

/** Extensions of the files the hooks transpile; others (`.json`, `.node`) are Node's. */
const TRANSPILED = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);

const HOOKS_REGISTERED = Symbol.for('nx-typeorm-migrations.esm-hooks');
const ANSWERER = Symbol.for('nx-typeorm-migrations.esm-answer');
type ProcessWide = typeof globalThis & {
  [HOOKS_REGISTERED]?: boolean;
  [ANSWERER]?: (question: Question) => Answer;
};

/** Registers the hooks once per process; questions go to the copy of this module that loaded a file last. */
function registerHooks(): void {
  // CommonJS files an ES module imports are run by Node's CommonJS loader, which must know TypeScript as well.
  installRequireHook();
  const processWide = globalThis as ProcessWide;
  processWide[ANSWERER] = answer;
  if (processWide[HOOKS_REGISTERED]) return;
  processWide[HOOKS_REGISTERED] = true;
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (question: Question) => port1.postMessage(processWide[ANSWERER]!(question)));
  port1.unref();
  // Node's own `register`: Jest's copy of `node:module` refuses it (test code would not see the hooks; ours is Node's).
  nodeModule.register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { port: port2 }, transferList: [port2 as MessagePort] });
}

/** Texts to run instead of the file on disk (a migration's text as checksummed), by path. */
const sourceOf = new Map<string, string>();

/**
 * Errors this thread answered with, by message: Node gives the importer an error rebuilt on the hooks' thread, and
 * the importer throws the original (its class, its file, its cause) instead.
 */
const answeredFailures = new Map<string, Error>();

function rememberFailure(failure: Error): void {
  // A long-lived process (a test run) keeps the latest few.
  if (answeredFailures.size >= 50) answeredFailures.delete(answeredFailures.keys().next().value as string);
  answeredFailures.set(failure.message, failure);
}

function answer(question: Question): Answer {
  try {
    return question.kind === 'resolve' ? answerResolve(question) : answerLoad(question);
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    rememberFailure(failure);
    return { id: question.id, error: failure.message, code: (failure as NodeJS.ErrnoException).code };
  }
}

function answerResolve(question: Extract<Question, { kind: 'resolve' }>): Answer {
  const { specifier } = question;
  if (/^(file|data|node):/.test(specifier)) return { id: question.id };
  const parentFile = fileURLToPath(question.parentURL);
  const resolution = userModuleResolver().resolve(specifier, parentFile, 'import');
  if (resolution.kind === 'file') {
    // Node tells a JSON file's format itself; the package's "type" only speaks of scripts.
    const format = TRANSPILED.has(extname(resolution.path)) ? moduleFormatOf(resolution.path) : undefined;
    return { id: question.id, url: pathToFileURL(resolution.path).href, format };
  }
  if (resolution.tried && resolution.tried.length > 0) {
    const failure = new ImportNotFoundError(specifier, parentFile, resolution.tried);
    rememberFailure(failure);
    // A relative import we did not find, Node's loader would not find either; an alias's target may be a package.
    const relative = specifier.startsWith('.') || specifier.startsWith('/');
    return { id: question.id, error: failure.message, code: 'ERR_MODULE_NOT_FOUND', ...(!relative && { fallback: true }) };
  }
  return { id: question.id };
}

function answerLoad(question: Extract<Question, { kind: 'load' }>): Answer {
  const url = new URL(question.url);
  const file = fileURLToPath(url);
  if (!TRANSPILED.has(extname(file))) return { id: question.id };
  const format = moduleFormatOf(file);
  if (format === 'commonjs') return { id: question.id, format: 'module', source: commonJsFacade(file) };
  const text = sourceOf.get(question.url) ?? readFileSync(file, 'utf8');
  return { id: question.id, format, source: codeOf(text, file, format) };
}

/**
 * A CommonJS file an ES module imports (a `.cts`, a file of a package without `"type": "module"`), as an ES module
 * whose exports are the file's: the file runs here, through Node's `require` and the require hook, and the facade
 * re-exports what it exported. Not Node's own way, for two reasons: Node 20 finds the names a CommonJS file exports
 * by reading its text, which for TypeScript is not the code that runs; and a CommonJS file given to Node's ES loader
 * as text resolves its own `require`s through the hooks synchronously, while this thread, which answers them, waits.
 * The file runs while the importing module loads, rather than just before it runs.
 */
function commonJsFacade(file: string): string {
  let exports: Record<string, unknown>;
  try {
    exports = requireFrom<Record<string, unknown>>(file, file);
  } catch (error) {
    throw loadFailure(error, file);
  }
  const names = exports !== null && typeof exports === 'object' ? Object.keys(exports).filter((name) => name !== 'default' && name !== '__esModule') : [];
  const lines = [
    `import { createRequire } from 'node:module';`,
    `const exported = createRequire(${JSON.stringify(pathToFileURL(file).href)})(${JSON.stringify(file)});`,
    'export default exported;',
    ...names.map((name, index) => `const name${index} = exported[${JSON.stringify(name)}];\nexport { name${index} as ${JSON.stringify(name)} };`),
  ];
  return lines.join('\n');
}

/**
 * Node's own `import()`, from a function Node's CommonJS loader compiled: inside Jest, an `import()` written here
 * would go to Jest's module registry, which knows nothing of the hooks.
 */
let nativeImport: ((url: string) => Promise<Record<string, unknown>>) | undefined;

function importNatively(url: string): Promise<Record<string, unknown>> {
  if (!nativeImport) {
    const module = new Module(__filename) as Module & { _compile(code: string, filename: string): void };
    module._compile('module.exports = (url) => import(url);', __filename);
    nativeImport = module.exports as typeof nativeImport;
  }
  return nativeImport!(url);
}

/** The URL each file was first imported under, and the text it had then. */
const imported = new Map<string, string>();

/**
 * Runs a user's file as its project runs it (`module-format.ts`) and returns its exports: CommonJS through
 * `loadUserModule`, an ES module through Node's loader. An ES module is run again when its text differs from the
 * text it was first run with in this process (a file edited between two commands of one process), and the
 * text given as `source` is the text that runs. Errors are those of `loadUserModule`: `TypeScriptSyntaxError`,
 * `ImportNotFoundError`, `ModuleLoadError` naming the innermost user file that threw.
 */
export async function loadUserModuleAsync(filename: string, source?: string): Promise<Record<string, unknown>> {
  if (moduleFormatOf(filename) === 'commonjs') return loadUserModule(filename, source);
  if (typeof nodeModule.register !== 'function') {
    const cause = new Error(`running ES modules needs Node 20.6 or newer (module.register), and this is Node ${process.version}: upgrade Node`);
    throw new ModuleLoadError(filename, { cause });
  }
  registerHooks();
  const text = source ?? readFileSync(filename, 'utf8');
  const plain = pathToFileURL(filename).href;
  const first = imported.get(plain);
  if (first === undefined) imported.set(plain, text);
  const url = first === undefined || first === text ? plain : `${plain}?ntm-text=${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
  sourceOf.set(url, text);
  try {
    return await importNatively(url);
  } catch (error) {
    const answered = answeredFailures.get((error as Error | undefined)?.message ?? '');
    if (answered) throw answered;
    if (error instanceof TypeScriptSyntaxError || error instanceof ImportNotFoundError) throw error;
    throw new ModuleLoadError(innermostUserFile(error) ?? filename, { cause: error });
  }
}

/**
 * The error this thread answered the hooks with, when `error` is (or wraps, or quotes) the copy Node rebuilt of it:
 * an entity that TypeORM imports itself (an `entities` glob) fails outside `loadUserModuleAsync`, and the command
 * that started TypeORM reports the original.
 */
export function loadFailureBehind(error: unknown): Error | undefined {
  if (answeredFailures.size === 0) return undefined;
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const message = (current as { message?: unknown }).message;
    if (typeof message !== 'string') continue;
    const exact = answeredFailures.get(message);
    if (exact) return exact;
    for (const [answered, failure] of answeredFailures) if (message.includes(answered)) return failure;
  }
  return undefined;
}

/** Our own sources: frames of these in a stack are never the user's file that failed. */
const OWN_SOURCES = /[\\/]packages[\\/](core|adapters|commands|cli|nx)[\\/]src[\\/]/;

/** The first user file (not in `node_modules`, not ours, not Node's) in an error's stack: where an ES module threw. */
export function innermostUserFile(error: unknown): string | undefined {
  const stack = (error as { stack?: unknown } | null | undefined)?.stack;
  if (typeof stack !== 'string') return undefined;
  for (const match of stack.matchAll(/(?:\(|\bat )(file:\/\/[^\s)]+?|\/[^\s():]+?):\d+:\d+/g)) {
    const location = match[1];
    const file = location.startsWith('file:') ? fileURLToPath(location.replace(/\?[^:]*$/, '')) : location;
    if (file.includes('/node_modules/') || file.includes('\\node_modules\\') || OWN_SOURCES.test(file)) continue;
    return file;
  }
  return undefined;
}
