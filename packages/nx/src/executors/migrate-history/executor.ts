import type { ExecutorContext } from '@nx/devkit';
import { history } from '../../../../commands/src/history';
import { runCommand } from '../run-command';
import type { MigrateHistoryExecutorSchema } from './schema';

/** `nx run PROJECT:migrate-history`: the revision graph, newest first, the current revision marked. */
export default async function migrateHistoryExecutor(options: MigrateHistoryExecutorSchema, context: ExecutorContext) {
  return runCommand('history', options, context, (project, read, reporter) =>
    history(
      project,
      {
        range: read.range,
        show: read.show,
        branches: read.branches,
        verbose: read.verbose,
        format: read.format,
        lockTimeoutSeconds: read.lockTimeoutSeconds,
      },
      reporter,
    ),
  );
}
