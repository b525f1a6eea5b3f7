import type { ExecutorContext } from '@nx/devkit';
import { stamp } from '../../../../commands/src/stamp';
import { runCommand, targetOf } from '../run-command';
import type { MigrateStampExecutorSchema } from './schema';

/** `nx run PROJECT:migrate-stamp --to=REV`: sets the version table without running migrations. */
export default async function migrateStampExecutor(options: MigrateStampExecutorSchema, context: ExecutorContext) {
  return runCommand(options, context, (project, reporter) =>
    stamp(project, { to: targetOf(options.to) ?? '', purge: options.purge, lockTimeoutSeconds: options.lockTimeout }, reporter),
  );
}
