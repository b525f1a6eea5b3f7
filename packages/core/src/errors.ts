/**
 * Errors a user can do something about. Each carries a `code` (UPPER_CASE, stable: `--json` reports it) and, as
 * fields, the data a message needs: the revisions, labels, files or text at fault. The words a user reads are
 * written once, at the boundary, in `packages/commands/src/errors.ts`, where the command the user typed (an Nx
 * target or a CLI verb) is known; the `message` here is a short technical summary for logs and stack traces.
 */
export abstract class CodedError extends Error {
  abstract readonly code: string;

  protected constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Structured errors of the revision engine. */
export abstract class RevisionError extends CodedError {
  protected constructor(message: string) {
    super(message);
  }
}

/** Which edge of a revision names another one. */
export type RevisionRelation = 'downRevision' | 'dependsOn';

// ---------------------------------------------------------------- load-time errors (building the graph)

export class DuplicateRevisionError extends RevisionError {
  readonly code = 'DUPLICATE_REVISION';

  constructor(readonly revision: string) {
    super(`revision id ${revision} is used by more than one migration`);
  }
}

export class SelfReferenceError extends RevisionError {
  readonly code = 'SELF_REFERENCE';

  constructor(
    readonly revision: string,
    readonly relation: RevisionRelation,
  ) {
    super(`revision ${revision} lists itself in its ${relation}`);
  }
}

export class MissingRevisionError extends RevisionError {
  readonly code = 'MISSING_REVISION';

  constructor(
    readonly missing: string,
    readonly referencedBy: string,
    readonly relation: RevisionRelation,
  ) {
    super(`revision ${referencedBy} names ${missing} in its ${relation}, and no migration has that revision id`);
  }
}

export class CycleError extends RevisionError {
  readonly code = 'REVISION_CYCLE';

  /** @param revisions the cycle in upgrade order: each revision is a down revision or dependency of the next, and the last of the first. */
  constructor(readonly revisions: readonly string[]) {
    super(`revisions ${[...revisions, revisions[0]].join(' -> ')} form a cycle`);
  }
}

export class DuplicateBranchLabelError extends RevisionError {
  readonly code = 'DUPLICATE_BRANCH_LABEL';

  constructor(
    readonly label: string,
    readonly revisions: readonly [string, string],
  ) {
    super(`branch label ${label} is declared by both ${revisions[0]} and ${revisions[1]}`);
  }
}

export class BranchLabelIsRevisionIdError extends RevisionError {
  readonly code = 'BRANCH_LABEL_IS_REVISION_ID';

  /**
   * @param owner the revision declaring the label
   * @param revision the revision whose id the label equals (may be `owner` itself)
   */
  constructor(
    readonly label: string,
    readonly owner: string,
    readonly revision: string,
  ) {
    super(`branch label ${label} of revision ${owner} is also the id of revision ${revision}`);
  }
}

export class InvalidRevisionIdError extends RevisionError {
  readonly code = 'INVALID_REVISION_ID';

  constructor(readonly revision: string) {
    super(`revision id '${revision}' is not valid`);
  }
}

export class InvalidBranchLabelError extends RevisionError {
  readonly code = 'INVALID_BRANCH_LABEL';

  constructor(
    readonly label: string,
    readonly revision: string,
  ) {
    super(`branch label '${label}' of revision ${revision} is not valid`);
  }
}

// ---------------------------------------------------------------- resolution errors (reading a target)

export const TARGET_FORMS =
  'head, heads, base, +N, -N, a revision id or a prefix of at least 4 characters, LABEL, REV+N, REV-N, head-N, ' +
  'base+N, or any of these after LABEL@ or REV@ to pick a branch (LABEL@head, LABEL@base, LABEL@-N, LABEL@REV, ' +
  'LABEL@head-N, LABEL@base+N)';

export class InvalidTargetError extends RevisionError {
  readonly code = 'INVALID_TARGET';

  constructor(readonly text: string) {
    super(`'${text}' is not a valid target`);
  }
}

export class UnknownRevisionError extends RevisionError {
  readonly code = 'REVISION_NOT_FOUND';

  constructor(readonly reference: string) {
    super(`no revision or branch label matches '${reference}'`);
  }
}

export class UnknownBranchLabelError extends RevisionError {
  readonly code = 'UNKNOWN_BRANCH_LABEL';

  constructor(
    readonly label: string,
    readonly knownLabels: readonly string[],
  ) {
    super(`no branch label ${label} exists`);
  }
}

export class AmbiguousRevisionError extends RevisionError {
  readonly code = 'AMBIGUOUS_REVISION';

  constructor(
    readonly reference: string,
    readonly candidates: readonly string[],
  ) {
    super(`revision prefix '${reference}' matches ${candidates.join(', ')}`);
  }
}

export class MultipleHeadsError extends RevisionError {
  readonly code = 'MULTIPLE_HEADS';

  /**
   * @param reference what the user typed (`head`, a label, ...)
   * @param heads the head revisions it could mean
   * @param labelSuggestions `LABEL@head` forms that would pick one of those heads, when labels exist
   */
  constructor(
    readonly reference: string,
    readonly heads: readonly string[],
    readonly labelSuggestions: readonly string[] = [],
  ) {
    super(`'${reference}' has several head revisions (${heads.join(', ')})`);
  }
}

export class RelativeWalkError extends RevisionError {
  readonly code = 'RELATIVE_WALK_OUT_OF_RANGE';

  /**
   * @param from the revision the walk starts from, or null for "nothing applied" (base)
   * @param steps the requested signed number of steps
   * @param available how many steps exist in that direction
   */
  constructor(
    readonly target: string,
    readonly from: string | null,
    readonly steps: number,
    readonly available: number,
  ) {
    super(`'${target}': ${steps} steps from ${from ?? 'base'}, ${available} available`);
  }
}

/** Why a relative walk has more than one way to go. */
export type AmbiguousWalkReason = 'applied-heads' | 'bases' | 'branch-point' | 'merge-point';

export class AmbiguousWalkError extends RevisionError {
  readonly code = 'AMBIGUOUS_WALK';

  /**
   * @param from where the walk was when it found several ways (null: nothing applied)
   * @param candidates the revisions it could continue from or to
   */
  constructor(
    readonly target: string,
    readonly reason: AmbiguousWalkReason,
    readonly from: string | null,
    readonly candidates: readonly string[],
  ) {
    super(`'${target}' is ambiguous (${reason} at ${from ?? 'base'}: ${candidates.join(', ')})`);
  }
}

export class UnknownAppliedRevisionError extends RevisionError {
  readonly code = 'UNKNOWN_APPLIED_REVISION';

  constructor(readonly revision: string) {
    super(`the database records revision ${revision} as applied, and no migration has that revision id`);
  }
}

export class RevisionNotOnBranchError extends RevisionError {
  readonly code = 'REVISION_NOT_ON_BRANCH';

  constructor(
    readonly target: string,
    readonly revision: string,
    readonly branch: string,
  ) {
    super(`revision ${revision} is not on branch ${branch} ('${target}')`);
  }
}

export class BranchDowngradeError extends RevisionError {
  readonly code = 'NO_DOWNGRADE_ON_BRANCH';

  /**
   * @param from the revisions above the target (Alembic's roots of the downgrade), none of them below `branch`
   */
  constructor(
    readonly target: string,
    readonly branch: string,
    readonly from: readonly string[],
  ) {
    super(`'${target}' downgrades nothing: none of ${from.join(', ')} leads to ${branch}`);
  }
}

export class OverlappingTargetsError extends RevisionError {
  readonly code = 'OVERLAPPING_TARGETS';

  /** @param overlaps targets that lie below `revision` (or above it), so that naming both says nothing more */
  constructor(
    readonly revision: string,
    readonly overlaps: readonly string[],
  ) {
    super(`requested revision ${revision} overlaps with ${overlaps.join(', ')}`);
  }
}

export class SpliceRequiredError extends RevisionError {
  readonly code = 'SPLICE_REQUIRED';

  constructor(readonly revision: string) {
    super(`revision ${revision} is not a head revision`);
  }
}
