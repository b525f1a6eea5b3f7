import type { ExecutorContext } from '@nx/devkit';
import { check } from '../../../../commands/src/check';
import { runCommand } from '../run-command';
import type { MigrateCheckExecutorSchema } from './schema';

/** `nx run PROJECT:migrate-check`: the CI gate, one `✔`/`✖` line per check; cacheable. */
export default async function migrateCheckExecutor(options: MigrateCheckExecutorSchema, context: ExecutorContext) {
  return runCommand(options, context, (project, reporter) =>
    check(
      project,
      {
        base: options.base,
        full: options.full,
        shadowDatabaseUrl: options.shadowDatabaseUrl,
        lockTimeoutSeconds: options.lockTimeout,
        include: options.include,
        exclude: options.exclude,
      },
      reporter,
    ),
  );
}
