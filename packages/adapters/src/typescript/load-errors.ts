import { dirname, relative, sep } from 'node:path';
import { CodedError } from '../../../core/src/errors';

/**
 * What went wrong while loading a user's file, naming the file; the original error is kept as `cause` (shown with
 * `--verbose`).
 */

/** An import in a user's file leads to no file: the import as written, the importing file, what was looked for. */
export class ImportNotFoundError extends CodedError {
  /** Node's code, so that code catching a missing optional module still recognises this one. */
  readonly code = 'MODULE_NOT_FOUND';
  constructor(
    readonly request: string,
    /** The importing file. */
    readonly file: string,
    /** The paths looked for, in order. */
    readonly tried: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`\`${request}\` imported by ${file} was not found${describeTried(tried, file)}`, options);
  }
}

/** A user's file threw while it was being loaded (its top-level code, or a file it imports). */
export class ModuleLoadError extends CodedError {
  readonly code = 'MODULE_LOAD_FAILED';
  constructor(
    /** The innermost user file whose loading threw. */
    readonly file: string,
    options: { cause: unknown },
  ) {
    super(`${file} failed while loading: ${firstLineOf(options.cause)}`, options);
  }
}

/** The first line of what was thrown, whatever it is. */
export function firstLineOf(thrown: unknown): string {
  // Not `instanceof Error`: what users' code throws may come from another realm (Node's, inside Jest).
  const message = (thrown as { message?: unknown } | null | undefined)?.message;
  const text = typeof message === 'string' ? message : String(thrown);
  return text.split('\n')[0].trim();
}

/** ` (looked for ./user.entity.js, ./user.entity.ts, ./user.entity.tsx)`: relative to the importing file, six at most. */
function describeTried(tried: readonly string[], file: string): string {
  if (tried.length === 0) return '';
  const shown = tried.slice(0, 6).map((path) => {
    const fromImporter = relative(dirname(file), path).split(sep).join('/');
    return fromImporter.startsWith('.') ? fromImporter : `./${fromImporter}`;
  });
  return ` (looked for ${shown.join(', ')}${tried.length > 6 ? `, and ${tried.length - 6} more` : ''})`;
}
