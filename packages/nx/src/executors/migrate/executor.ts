import type { ExecutorContext } from '@nx/devkit';
import { migrate } from '../../../../commands/src/migrate';
import { runCommand, terminalConfirm } from '../run-command';
import type { MigrateExecutorSchema } from './schema';

/** `nx run PROJECT:migrate --to=REV`: moves the database up or down to the target revision. */
export default async function migrateExecutor(options: MigrateExecutorSchema, context: ExecutorContext) {
  return runCommand('migrate', options, context, (project, read, reporter) =>
    migrate(
      project,
      {
        to: read.to,
        sql: read.sql,
        from: read.from,
        lockTimeoutSeconds: read.lockTimeoutSeconds,
        stepLockTimeout: read.stepLockTimeout,
        stepStatementTimeout: read.stepStatementTimeout,
        lockRetries: read.lockRetries,
        lock: read.lock,
        yes: read.yes,
        confirm: terminalConfirm(),
      },
      reporter,
    ),
  );
}
