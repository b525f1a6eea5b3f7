import type { ExecutorContext } from '@nx/devkit';
import { check } from '../../../../commands/src/check';
import { runCommand } from '../run-command';
import type { MigrateCheckExecutorSchema } from './schema';

/** `nx run PROJECT:migrate-check`: the CI gate, one `✔`/`✖` line per check; cacheable. */
export default async function migrateCheckExecutor(options: MigrateCheckExecutorSchema, context: ExecutorContext) {
  return runCommand('check', options, context, (project, read, reporter) =>
    check(
      project,
      {
        base: read.base,
        full: read.full,
        shadowDatabaseUrl: read.shadowDatabaseUrl,
        lockTimeoutSeconds: read.lockTimeoutSeconds,
        include: read.include,
        exclude: read.exclude,
      },
      reporter,
    ),
  );
}
