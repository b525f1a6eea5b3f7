import type { HistoryFormat } from '../../../../commands/src/history';
import type { CommandTargetOptions } from '../run-command';

export interface MigrateHistoryExecutorSchema extends CommandTargetOptions {
  range?: string;
  show?: string;
  branches?: boolean;
  format?: HistoryFormat;
}
