/**
 * The PostgreSQL extensions an in-memory shadow database must be able to create. PGlite loads each extension it may
 * create when it starts, and loading all seven it ships for TypeORM costs about a quarter of a second (a tenth of an
 * in-sync generate at 300 entities); most projects need none, or one.
 *
 * An extension is needed when TypeORM creates it on connecting (its driver's `checkMetadataForExtensions`: uuid
 * generation, citext/hstore/cube/ltree columns, exclusion constraints) or when the migrations replayed into the shadow
 * use it. Whatever cannot be known from the text alone (entities given as globs or schemas, migrations importing other
 * modules, a data source listing `extensions`) loads them all, as before.
 */

import type { EmbeddedExtension } from '../../embedded/embedded-postgres';

type ShadowExtension = EmbeddedExtension;
const SHADOW_EXTENSIONS: readonly ShadowExtension[] = ['btree_gist', 'citext', 'cube', 'hstore', 'ltree', 'pgcrypto', 'uuid_ossp'];

/** What of TypeORM's decorator registry (`getMetadataArgsStorage()`) says which extensions entities need. */
export interface DecoratorArgs {
  readonly columns: readonly { readonly options?: { readonly type?: unknown } }[];
  readonly generations: readonly { readonly strategy?: unknown }[];
  readonly exclusions: readonly unknown[];
}

export interface ShadowExtensionsInput {
  /** The data source's options (`entities`, `uuidExtension`, `extensions`). */
  readonly options: { readonly entities?: unknown; readonly uuidExtension?: unknown; readonly extensions?: unknown };
  /** TypeORM's registry of decorated classes; undefined when it cannot be found. */
  readonly decorators: DecoratorArgs | undefined;
  /** The text of every migration the shadow holds or replays. */
  readonly migrationTexts: readonly string[];
}

/** What in a migration's text uses each extension (its name, its types, its functions, its operator classes). */
const USES: Readonly<Record<ShadowExtension, RegExp>> = {
  btree_gist: /btree_gist|\bexclude\b|gist_\w+_ops/i,
  citext: /citext/i,
  cube: /\bcube|earth_|ll_to_earth|earth_distance/i,
  hstore: /hstore/i,
  ltree: /ltree|lquery|ltxtquery/i,
  pgcrypto: /pgcrypto|\bcrypt\s*\(|gen_salt|\bdigest\s*\(|\bhmac\s*\(|pgp_|gen_random_bytes|\barmor\s*\(|\bdearmor\s*\(/i,
  uuid_ossp: /uuid[-_]ossp|uuid_generate_v|uuid_nil|uuid_ns_/i,
};

/** Sorted extension names, or undefined: load them all. */
export function shadowExtensions(input: ShadowExtensionsInput): EmbeddedExtension[] | undefined {
  const { options, decorators } = input;
  if (!decorators || options.extensions !== undefined) return undefined;
  // Classes are registered when their file runs; globs are loaded later by TypeORM, and schemas are not decorated.
  const entities = options.entities === undefined ? [] : Array.isArray(options.entities) ? options.entities : Object.values(options.entities as object);
  if (entities.some((entity) => typeof entity !== 'function')) return undefined;

  const needed = new Set<ShadowExtension>();
  // Every decorated class of the process, not only this data source's: one too many costs a little time, never a result.
  if (decorators.generations.some((generation) => generation.strategy === 'uuid')) {
    needed.add(options.uuidExtension === 'pgcrypto' ? 'pgcrypto' : 'uuid_ossp');
  }
  for (const column of decorators.columns) {
    const type = column.options?.type;
    if (type === 'citext' || type === 'hstore' || type === 'cube' || type === 'ltree') needed.add(type);
  }
  if (decorators.exclusions.length > 0) needed.add('btree_gist');

  for (const text of input.migrationTexts) {
    // SQL may come from another module, where it cannot be read from here.
    if (importsBeyondTypeorm(text)) return undefined;
    for (const name of SHADOW_EXTENSIONS) if (USES[name].test(text)) needed.add(name);
  }
  return [...needed].sort();
}

function importsBeyondTypeorm(text: string): boolean {
  const specifiers = text.matchAll(/\bfrom\s*['"]([^'"]+)['"]|\brequire\s*\(\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm);
  for (const match of specifiers) {
    if ((match[1] ?? match[2] ?? match[3] ?? match[4]) !== 'typeorm') return true;
  }
  return false;
}

/**
 * TypeORM's decorator registry (`getMetadataArgsStorage()`, kept on the global object by every version) of the realm
 * `dataSource` was made in: under a test runner's sandbox the user's modules may run in another one than this code.
 */
export function typeormDecorators(dataSource: object): DecoratorArgs | undefined {
  let realm: { typeormMetadataArgsStorage?: Partial<DecoratorArgs> } | undefined;
  try {
    realm = (dataSource.constructor.constructor as FunctionConstructor)('return globalThis')() as typeof realm;
  } catch {
    return undefined;
  }
  const storage = realm?.typeormMetadataArgsStorage;
  if (!storage || !Array.isArray(storage.columns) || !Array.isArray(storage.generations) || !Array.isArray(storage.exclusions)) return undefined;
  return storage as DecoratorArgs;
}
