import { addDependenciesToPackageJson, readJson, type GeneratorCallback, type Tree } from '@nx/devkit';

/**
 * What a project with TypeORM entities needs in the workspace: the user's own `typeorm` (the plugin uses it, never
 * a copy of its own), the PostgreSQL driver, `reflect-metadata` for the decorators, and `pg`'s types. Versions are
 * the ones this plugin is tested with.
 */
export const REQUIRED_PACKAGES = {
  dependencies: { typeorm: '^1.1.1', pg: '^8.23.1', 'reflect-metadata': '^0.2.2' },
  devDependencies: { '@types/pg': '^8.23.1' },
} as const;
/**
 * TypeORM 1.x names `ts-node@^10.9.2` as an optional peer, and npm refuses to install it (ERESOLVE) next to an
 * older `ts-node`, such as the `10.9.1` that Nx's Jest generator pins; TypeORM 0.3 accepts it.
 */
export const TYPEORM_BESIDE_OLD_TS_NODE = '^0.3.31';

/** `10.9.1` for `~10.9.1`, `10.9.1`, `^10.9.1`; undefined for a range it cannot read that way. */
function lowestVersion(range: string): [number, number, number] | undefined {
  const match = /^[\^~=v]*(\d+)\.(\d+)\.(\d+)/.exec(range.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** The `typeorm` range to add: 1.x, unless the workspace holds a `ts-node` older than TypeORM 1.x accepts. */
export function typeormRangeFor(tsNode: string | undefined): string {
  const version = tsNode === undefined ? undefined : lowestVersion(tsNode);
  if (version === undefined) return REQUIRED_PACKAGES.dependencies.typeorm;
  const [major, minor, patch] = version;
  const older = major < 10 || (major === 10 && (minor < 9 || (minor === 9 && patch < 2)));
  return older ? TYPEORM_BESIDE_OLD_TS_NODE : REQUIRED_PACKAGES.dependencies.typeorm;
}

export interface AddedPackages {
  readonly added: string[];
  readonly install?: GeneratorCallback;
}

/**
 * Adds to the workspace's `package.json` the required packages it lacks (in any dependency field), never changing
 * a version already there, and returns the task that installs them.
 */
export function addMissingPackages(tree: Tree): AddedPackages {
  if (!tree.exists('package.json')) return { added: [] };
  const manifest = readJson<Record<string, Record<string, string> | undefined>>(tree, 'package.json');
  const present = (name: string) =>
    ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].some((field) => manifest[field]?.[name] !== undefined);
  const missing = (packages: Record<string, string>) => Object.fromEntries(Object.entries(packages).filter(([name]) => !present(name)));
  const tsNode = manifest['devDependencies']?.['ts-node'] ?? manifest['dependencies']?.['ts-node'];
  const dependencies = missing({ ...REQUIRED_PACKAGES.dependencies, typeorm: typeormRangeFor(tsNode) });
  const devDependencies = missing(REQUIRED_PACKAGES.devDependencies);
  const added = [...Object.entries(dependencies), ...Object.entries(devDependencies)].map(([name, version]) => `${name}@${version}`);
  if (added.length === 0) return { added };
  return { added, install: addDependenciesToPackageJson(tree, dependencies, devDependencies) };
}
