import type { CommandTargetOptions } from '../run-command';

export interface MigrateExecutorSchema extends CommandTargetOptions {
  to?: string | number;
  sql?: boolean;
  from?: string;
  yes?: boolean;
  stepLockTimeout?: string;
  stepStatementTimeout?: string;
  lockRetries?: number;
}
