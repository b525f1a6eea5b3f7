import type { CommandTargetOptions } from '../run-command';

export interface MigrateExecutorSchema extends CommandTargetOptions {
  to?: string | number;
  sql?: boolean;
  from?: string | number;
  yes?: boolean;
  stepLockTimeout?: string | number;
  stepStatementTimeout?: string | number;
  lockRetries?: number | string;
  lock?: 'advisory' | 'lease' | 'auto';
}
