import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, extname } from 'node:path';
import { transformSync, type Options } from '@swc/core';

/**
 * Loads users' TypeScript and JavaScript (data sources, entities, migrations) with `@swc/core`, in the real Node
 * module system: imports resolve from the user's file, so the user's own `typeorm` is the copy that runs (entity
 * decorators register there). Never ts-node: transpiling is all we need, type-checking is the user's build's job.
 *
 * Node's own `require` is used even inside Jest (which replaces `require` with its own registry), so the tests run
 * exactly what users run.
 */

/** Extensions whose files are transpiled before Node runs them. Plain `.js` outside `node_modules` too: it may be ESM. */
const TRANSPILED_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.mjs', '.js'] as const;

type ModuleInternals = typeof Module & {
  _extensions: Record<string, (module: Module, filename: string) => void>;
  _nodeModulePaths(directory: string): string[];
};
type CompilableModule = Module & { _compile(code: string, filename: string): void };

const nodeModule = Module as ModuleInternals;

/** Transpiled code by sha256 of (file name kind + source): a migration loaded twice is transpiled once. */
const transpiled = new Map<string, string>();

export class TypeScriptSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'TypeScriptSyntaxError';
  }
}

function swcOptions(filename: string): Options {
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
    },
    module: { type: 'commonjs', ignoreDynamic: true },
  };
}

/** The CommonJS JavaScript for a source file's text. Throws `TypeScriptSyntaxError` naming the file. */
export function transpile(source: string, filename: string): string {
  const key = createHash('sha256').update(extname(filename)).update('\0').update(source).digest('hex');
  const cached = transpiled.get(key);
  if (cached !== undefined) return cached;
  let code: string;
  try {
    code = transformSync(source, swcOptions(filename)).code;
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

let hooked = false;

/** Teaches Node's `require` the extensions above, once per process. `node_modules` keeps Node's own loaders. */
function installRequireHook(): void {
  if (hooked) return;
  hooked = true;
  const nativeJs = nodeModule._extensions['.js'];
  for (const extension of TRANSPILED_EXTENSIONS) {
    const native = nodeModule._extensions[extension] ?? nativeJs;
    nodeModule._extensions[extension] = (module, filename) => {
      if (filename.includes('/node_modules/') || filename.includes('\\node_modules\\')) {
        native(module, filename);
        return;
      }
      (module as CompilableModule)._compile(transpile(readFileSync(filename, 'utf8'), filename), filename);
    };
  }
}

/**
 * Runs a user's file and returns its exports. The file itself is always run afresh from `source` (default: the file
 * on disk), so an edited migration is never served from a cache; what it imports goes through Node's module cache
 * as usual.
 */
export function loadUserModule(filename: string, source?: string): Record<string, unknown> {
  installRequireHook();
  const text = source ?? readFileSync(filename, 'utf8');
  const code = transpile(text, filename);
  const module = new Module(filename) as CompilableModule;
  module.filename = filename;
  module.paths = nodeModule._nodeModulePaths(dirname(filename));
  module._compile(code, filename);
  module.loaded = true;
  return module.exports as Record<string, unknown>;
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
