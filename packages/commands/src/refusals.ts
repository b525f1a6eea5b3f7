import { CodedError } from '../../core/src/errors';

/**
 * Refusals of the commands whose words name another command (a generator, a target or a CLI verb): they carry
 * their data, and `errors.ts` words them on the user's route.
 */

/** `merge` was given two revisions of one branch. */
export class MergeOnOneBranchError extends CodedError {
  readonly code = 'MERGE_ON_ONE_BRANCH';

  constructor(
    readonly revision: string,
    readonly descendant: string,
  ) {
    super(`revision ${revision} is already below ${descendant}`);
  }
}

/** `rebase` would move a base revision (one with no down revision) on top of another head. */
export class RebaseOfBaseError extends CodedError {
  readonly code = 'REBASE_OF_BASE';

  constructor(
    readonly revision: string,
    readonly onto: string,
  ) {
    super(`revision ${revision} is a base and cannot be put on top of ${onto}`);
  }
}

/** `rebase` would re-parent revisions that a database has applied. */
export class RebaseOfAppliedError extends CodedError {
  readonly code = 'REBASE_OF_APPLIED';

  /** @param firstMoved the lowest revision the rebase moves, to downgrade below */
  constructor(
    readonly applied: readonly string[],
    readonly database: string,
    readonly firstMoved: string,
  ) {
    super(`revisions ${applied.join(', ')} are applied to ${database}`);
  }
}
