import type { CommandTargetOptions } from '../run-command';

export interface MigrateStatusExecutorSchema extends CommandTargetOptions {
  checkHeads?: boolean;
}
