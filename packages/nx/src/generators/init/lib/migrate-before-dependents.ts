import { logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';

/** The targets that must find the databases of the projects they depend on migrated. */
export const DEPENDENT_TARGETS = ['build', 'e2e'] as const;

/**
 * Makes `build` and `e2e` depend on `^migrate` (or takes it away) through `nx.json` `targetDefaults`.
 *
 * Why target defaults and not the plugin: a plugin can add targets only to the projects holding its files, and a
 * `build` it added to every other project would exist even where nothing builds. Target defaults apply to the
 * targets a project really has, whichever plugin or `project.json` defines them, and `nx graph` shows them.
 */
export function setMigrateBeforeDependents(tree: Tree, enabled: boolean, migrateTarget: string): void {
  const nxJson = readNxJson(tree) ?? {};
  const dependency = `^${migrateTarget}`;
  const targetDefaults = { ...nxJson.targetDefaults } as Record<string, { dependsOn?: unknown[] }>;
  // Nx picks the defaults keyed by a target's executor before those keyed by its name, so a build whose executor
  // has defaults of its own (`@nx/esbuild:esbuild` in Nx's node-monorepo preset) never sees `build`'s: those
  // entries that build dependencies first (`^build`) get the migration too.
  const executorKeys = Object.keys(targetDefaults).filter((key) => {
    const entry = targetDefaults[key];
    return key.includes(':') && !Array.isArray(entry) && (entry?.dependsOn ?? []).includes('^build');
  });
  for (const key of executorKeys) {
    const without = (targetDefaults[key].dependsOn ?? []).filter((entry) => entry !== dependency);
    targetDefaults[key] = { ...targetDefaults[key], dependsOn: enabled ? [...without, dependency] : without };
  }
  for (const target of DEPENDENT_TARGETS) {
    const current = targetDefaults[target];
    if (Array.isArray(current)) {
      // Nx 23's list form of target defaults (entries with filters) is the user's own design: say, don't rewrite.
      logger.warn(`nx.json targetDefaults.${target} is a list; add "${dependency}" to the dependsOn of its entries yourself.`);
      continue;
    }
    const dependsOn = current?.dependsOn ?? (target === 'build' ? ['^build'] : []);
    const without = dependsOn.filter((entry) => entry !== dependency);
    if (enabled) {
      targetDefaults[target] = { ...current, dependsOn: [...without, dependency] };
    } else if (current?.dependsOn !== undefined) {
      targetDefaults[target] = { ...current, dependsOn: without };
    }
  }
  nxJson.targetDefaults = targetDefaults as typeof nxJson.targetDefaults;
  updateNxJson(tree, nxJson);
}
