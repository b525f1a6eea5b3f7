import type { CommandTargetOptions } from '../run-command';

export interface MigrateCheckExecutorSchema extends CommandTargetOptions {
  base?: string | number;
  full?: boolean;
  shadowDatabaseUrl?: string;
  include?: string | ReadonlyArray<string | number>;
  exclude?: string | ReadonlyArray<string | number>;
}
