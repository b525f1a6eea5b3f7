import type { CommandTargetOptions } from '../run-command';

export interface MigrateCheckExecutorSchema extends CommandTargetOptions {
  base?: string;
  full?: boolean;
  shadowDatabaseUrl?: string;
  include?: readonly string[];
  exclude?: readonly string[];
}
