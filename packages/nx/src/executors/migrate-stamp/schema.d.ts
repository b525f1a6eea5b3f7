import type { CommandTargetOptions } from '../run-command';

export interface MigrateStampExecutorSchema extends CommandTargetOptions {
  to?: string | number;
  purge?: boolean;
  lock?: 'advisory' | 'lease' | 'auto';
}
