import type { ExecutorContext } from '@nx/devkit';
import { migrate } from '../../../../commands/src/migrate';
import { runCommand, targetOf, terminalConfirm } from '../run-command';
import type { MigrateExecutorSchema } from './schema';

/** `nx run PROJECT:migrate --to=REV`: moves the database up or down to the target revision. */
export default async function migrateExecutor(options: MigrateExecutorSchema, context: ExecutorContext) {
  return runCommand(options, context, (project, reporter) =>
    migrate(
      project,
      {
        to: targetOf(options.to),
        sql: options.sql,
        from: options.from,
        lockTimeoutSeconds: options.lockTimeout,
        stepLockTimeout: options.stepLockTimeout,
        stepStatementTimeout: options.stepStatementTimeout,
        lockRetries: options.lockRetries,
        yes: options.yes,
        confirm: terminalConfirm(),
      },
      reporter,
    ),
  );
}
