export { createNodes, createNodesV2, preTasksExecution } from './plugin';
export type { TargetNames, TypeormMigrationsPluginOptions } from './plugin';
