import { readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import {
  DEFAULT_CHECK_ENV_INPUTS,
  DEFAULT_DATA_SOURCE_GLOB,
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_TARGET_NAMES,
  PLUGIN_NAME,
  type TypeormMigrationsPluginOptions,
} from '../../../plugin';

type PluginEntry = string | { plugin: string; options?: unknown };

/** Adds the plugin to `nx.json` `plugins` with its options spelled out; an existing entry is kept as it is. */
export function registerPlugin(tree: Tree): TypeormMigrationsPluginOptions {
  const nxJson = readNxJson(tree) ?? {};
  const plugins: PluginEntry[] = (nxJson.plugins ?? []) as PluginEntry[];
  const existing = plugins.find((entry) => (typeof entry === 'string' ? entry : entry.plugin) === PLUGIN_NAME);
  if (existing !== undefined) {
    return typeof existing === 'string' ? {} : ((existing.options ?? {}) as TypeormMigrationsPluginOptions);
  }
  const options: TypeormMigrationsPluginOptions = {
    dataSourceGlob: DEFAULT_DATA_SOURCE_GLOB,
    migrationsDir: DEFAULT_MIGRATIONS_DIR,
    targetNames: { ...DEFAULT_TARGET_NAMES },
    checkEnvInputs: [...DEFAULT_CHECK_ENV_INPUTS],
  };
  nxJson.plugins = [...plugins, { plugin: PLUGIN_NAME, options }] as typeof nxJson.plugins;
  updateNxJson(tree, nxJson);
  return options;
}
