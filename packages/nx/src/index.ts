export { createNodes, createNodesV2 } from './plugin';
export type { TargetNames, TypeormMigrationsPluginOptions } from './plugin';
