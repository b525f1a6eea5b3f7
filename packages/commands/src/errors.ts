/**
 * An error a user can act on: its message is one sentence saying what is wrong and what to do, printed without a
 * stack trace (unless `--verbose`), exit code 1. Commands turn every other error into one of these, once.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  readonly exitCode = 1;
}
