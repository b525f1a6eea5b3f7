import type { ExecutorContext } from '@nx/devkit';
import { stamp } from '../../../../commands/src/stamp';
import { runCommand } from '../run-command';
import type { MigrateStampExecutorSchema } from './schema';

/** `nx run PROJECT:migrate-stamp --to=REV`: sets the version table without running migrations. */
export default async function migrateStampExecutor(options: MigrateStampExecutorSchema, context: ExecutorContext) {
  return runCommand('stamp', options, context, (project, read, reporter) =>
    stamp(project, { to: read.to!, purge: read.purge, lock: read.lock, lockTimeoutSeconds: read.lockTimeoutSeconds }, reporter),
  );
}
