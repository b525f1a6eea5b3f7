import type { ExecutorContext } from '@nx/devkit';
import { status } from '../../../../commands/src/status';
import { runCommand } from '../run-command';
import type { MigrateStatusExecutorSchema } from './schema';

/** `nx run PROJECT:migrate-status`: the current revision(s), at head or not, what is pending. */
export default async function migrateStatusExecutor(options: MigrateStatusExecutorSchema, context: ExecutorContext) {
  return runCommand('status', options, context, (project, read, reporter) =>
    status(
      project,
      {
        checkHeads: read.checkHeads,
        drift: read.drift,
        shadowDatabaseUrl: read.shadowDatabaseUrl,
        lockTimeoutSeconds: read.lockTimeoutSeconds,
      },
      reporter,
    ),
  );
}
