import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { FileReader } from './file-system';
import { CodedError } from '../../../core/src/errors';

/**
 * The parts of a project's tsconfig that decide where an import leads at run time: `paths` (with the folder its
 * targets are relative to), `baseUrl` and `customConditions`, merged along the `extends` chain as TypeScript merges
 * them (the usual Nx layout: a project's `tsconfig.json` extends the workspace's `tsconfig.base.json`, which holds
 * the `@org/lib` aliases).
 */
export interface ResolutionSettings {
  /** The tsconfig file these settings were read from (the nearest to the importing file). */
  readonly file: string;
  /** Alias pattern -> targets, absolute; undefined when no config of the chain has `paths`. */
  readonly paths?: Readonly<Record<string, readonly string[]>>;
  /** Absolute `baseUrl`, when a config of the chain sets one. */
  readonly baseUrl?: string;
  readonly customConditions: readonly string[];
}

interface RawOptions {
  paths?: Record<string, string[]>;
  /** The folder `paths` targets are relative to: `baseUrl` when set, else the config that holds `paths`. */
  pathsBase?: string;
  baseUrl?: string;
  customConditions?: string[];
}

/** A tsconfig cannot be read: its file and what is wrong. */
export class TsconfigError extends CodedError {
  readonly code = 'TSCONFIG_INVALID';
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/**
 * Reads tsconfig files once per instance: the loader keeps one per process, so each config of a workspace is read
 * once however many files import through it.
 */
export class TsconfigReader {
  private readonly nearest = new Map<string, string | null>();
  private readonly settings = new Map<string, ResolutionSettings>();
  private readonly options = new Map<string, RawOptions>();

  constructor(private readonly files: FileReader) {}

  /** The settings of the tsconfig.json nearest to `directory` (itself or a parent), undefined when there is none. */
  forDirectory(directory: string): ResolutionSettings | undefined {
    const file = this.nearestConfig(directory);
    return file === undefined ? undefined : this.forFile(file);
  }

  forFile(file: string): ResolutionSettings {
    let found = this.settings.get(file);
    if (found === undefined) {
      const options = this.read(file, []);
      found = {
        file,
        paths: options.paths && mapTargets(options.paths, options.pathsBase ?? dirname(file)),
        baseUrl: options.baseUrl,
        customConditions: options.customConditions ?? [],
      };
      this.settings.set(file, found);
    }
    return found;
  }

  private nearestConfig(directory: string): string | undefined {
    const visited: string[] = [];
    let current = directory;
    let found: string | null | undefined;
    for (;;) {
      found = this.nearest.get(current);
      if (found !== undefined) break;
      visited.push(current);
      if (/[\\/]node_modules$/.test(current)) {
        found = null;
        break;
      }
      const candidate = join(current, 'tsconfig.json');
      if (this.files.isFile(candidate)) {
        found = candidate;
        break;
      }
      const parent = dirname(current);
      if (parent === current) {
        found = null;
        break;
      }
      current = parent;
    }
    for (const folder of visited) this.nearest.set(folder, found);
    return found ?? undefined;
  }

  /** The merged options of `file` and what it extends; `chain` guards against a config extending itself. */
  private read(file: string, chain: readonly string[]): RawOptions {
    const known = this.options.get(file);
    if (known) return known;
    if (chain.includes(file)) throw new TsconfigError(file, `extends itself through ${chain.join(' -> ')}`);
    const text = this.files.readText(file);
    if (text === undefined) throw new TsconfigError(file, 'does not exist');
    let config: { extends?: unknown; compilerOptions?: Record<string, unknown> };
    try {
      config = parseJsonWithComments(text) as typeof config;
    } catch (error) {
      throw new TsconfigError(file, `is not valid JSON: ${(error as Error).message}`);
    }
    const bases = config.extends === undefined ? [] : Array.isArray(config.extends) ? config.extends : [config.extends];
    // Later bases win over earlier ones, the config itself over all of them (TypeScript 5's rule for arrays).
    let merged: RawOptions = {};
    for (const base of bases) {
      if (typeof base !== 'string') throw new TsconfigError(file, '`extends` must be a string or an array of strings');
      merged = { ...merged, ...this.read(this.locateBase(base, file), [...chain, file]) };
    }
    const own = config.compilerOptions ?? {};
    const folder = dirname(file);
    const ownBaseUrl = typeof own['baseUrl'] === 'string' ? resolve(folder, own['baseUrl']) : undefined;
    if (ownBaseUrl !== undefined) merged.baseUrl = ownBaseUrl;
    if (own['paths'] && typeof own['paths'] === 'object') {
      merged.paths = own['paths'] as Record<string, string[]>;
      merged.pathsBase = merged.baseUrl ?? folder;
    } else if (ownBaseUrl !== undefined && merged.paths) {
      // An inherited `paths` is relative to the `baseUrl` in force, wherever that was set.
      merged.pathsBase = ownBaseUrl;
    }
    if (Array.isArray(own['customConditions'])) merged.customConditions = own['customConditions'].map(String);
    this.options.set(file, merged);
    return merged;
  }

  /** `extends`: a path relative to the config, or a package's config (`@tsconfig/node20/tsconfig.json`). */
  private locateBase(base: string, from: string): string {
    const folder = dirname(from);
    const candidates: string[] = [];
    if (base.startsWith('.') || isAbsolute(base)) {
      const path = resolve(folder, base);
      candidates.push(path, `${path}.json`);
    } else {
      for (let current = folder; ; current = dirname(current)) {
        const path = join(current, 'node_modules', base);
        candidates.push(path, `${path}.json`, join(path, 'tsconfig.json'));
        if (dirname(current) === current) break;
      }
    }
    const found = candidates.find((candidate) => this.files.isFile(candidate));
    if (found === undefined) throw new TsconfigError(from, `extends "${base}", which was not found`);
    return found;
  }
}

function mapTargets(paths: Record<string, string[]>, base: string): Record<string, string[]> {
  const mapped: Record<string, string[]> = {};
  for (const [pattern, targets] of Object.entries(paths)) {
    if (Array.isArray(targets)) mapped[pattern] = targets.map((target) => resolve(base, String(target)));
  }
  return mapped;
}

/** JSON as tsconfig files are written: with `//` and `/* *\/` comments and trailing commas. */
export function parseJsonWithComments(text: string): unknown {
  return JSON.parse(outsideStrings(outsideStrings(text, skipComment), skipTrailingComma));
}

/** Copies `text`, letting `skip` drop what it matches at a position outside a string (returns the next position). */
function outsideStrings(text: string, skip: (text: string, index: number) => number | undefined): string {
  let kept = '';
  let index = 0;
  while (index < text.length) {
    if (text[index] === '"') {
      let end = index + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      kept += text.slice(index, end + 1);
      index = end + 1;
      continue;
    }
    const next = skip(text, index);
    if (next === undefined) kept += text[index++];
    else index = next;
  }
  return kept;
}

function skipComment(text: string, index: number): number | undefined {
  if (text[index] !== '/') return undefined;
  if (text[index + 1] === '/') {
    const end = text.indexOf('\n', index);
    return end < 0 ? text.length : end;
  }
  if (text[index + 1] === '*') {
    const end = text.indexOf('*/', index + 2);
    return end < 0 ? text.length : end + 2;
  }
  return undefined;
}

function skipTrailingComma(text: string, index: number): number | undefined {
  if (text[index] !== ',') return undefined;
  let next = index + 1;
  while (next < text.length && /\s/.test(text[next])) next++;
  return text[next] === '}' || text[next] === ']' ? index + 1 : undefined;
}
