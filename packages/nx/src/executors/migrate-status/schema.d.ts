import type { CommandTargetOptions } from '../run-command';

export interface MigrateStatusExecutorSchema extends CommandTargetOptions {
  checkHeads?: boolean;
  drift?: boolean;
  shadowDatabaseUrl?: string | number;
}
