import type { ExecutorContext } from '@nx/devkit';
import { history } from '../../../../commands/src/history';
import { runCommand } from '../run-command';
import type { MigrateHistoryExecutorSchema } from './schema';

/** `nx run PROJECT:migrate-history`: the revision graph, newest first, the current revision marked. */
export default async function migrateHistoryExecutor(options: MigrateHistoryExecutorSchema, context: ExecutorContext) {
  return runCommand(options, context, (project, reporter) =>
    history(
      project,
      {
        range: options.range,
        show: options.show,
        branches: options.branches,
        verbose: options.verbose,
        format: options.format,
        lockTimeoutSeconds: options.lockTimeout,
      },
      reporter,
    ),
  );
}
