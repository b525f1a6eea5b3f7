import { toUserError } from '../../commands/src/errors';
import { nxRoute } from '../../commands/src/route';

/**
 * The sentence a user reads for an error, as the commands word it under Nx for a project `backend`: lets the core's
 * tests check the words of the errors they provoke, which live in the commands' table, not in the core.
 */
export function userWords(error: unknown): string {
  return toUserError(error, { projectName: 'backend', route: nxRoute('backend', 'migrate') }).message;
}
