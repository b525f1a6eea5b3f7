import type { HistoryFormat } from '../../../../commands/src/history';
import type { CommandTargetOptions } from '../run-command';

export interface MigrateHistoryExecutorSchema extends CommandTargetOptions {
  range?: string | number;
  show?: string | number;
  branches?: boolean;
  format?: HistoryFormat;
}
