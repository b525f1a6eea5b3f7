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
  const dependencies = missing(REQUIRED_PACKAGES.dependencies);
  const devDependencies = missing(REQUIRED_PACKAGES.devDependencies);
  const added = [...Object.entries(dependencies), ...Object.entries(devDependencies)].map(([name, version]) => `${name}@${version}`);
  if (added.length === 0) return { added };
  return { added, install: addDependenciesToPackageJson(tree, dependencies, devDependencies) };
}
