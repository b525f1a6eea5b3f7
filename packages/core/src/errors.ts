/**
 * Structured errors of the revision engine. Each carries the offending revisions, labels or text as data so
 * that commands can reword it once, at the boundary; each message is already a sentence a user can act on.
 */
export abstract class RevisionError extends Error {
  abstract readonly code: string;

  protected constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Which edge of a revision names another one. */
export type RevisionRelation = 'downRevision' | 'dependsOn';

function relationWords(relation: RevisionRelation): string {
  return relation === 'downRevision' ? 'down revision' : 'dependency (dependsOn)';
}

function quoteList(items: readonly string[]): string {
  return items.join(', ');
}

// ---------------------------------------------------------------- load-time errors (building the graph)

export class DuplicateRevisionError extends RevisionError {
  readonly code = 'duplicate-revision';

  constructor(readonly revision: string) {
    super(`Revision id ${revision} is used by more than one migration; give one of them a new revision id.`);
  }
}

export class SelfReferenceError extends RevisionError {
  readonly code = 'self-reference';

  constructor(
    readonly revision: string,
    readonly relation: RevisionRelation,
  ) {
    super(
      `Revision ${revision} lists itself as its own ${relationWords(relation)}; remove ${revision} from its ${relation}.`,
    );
  }
}

export class MissingRevisionError extends RevisionError {
  readonly code = 'missing-revision';

  constructor(
    readonly missing: string,
    readonly referencedBy: string,
    readonly relation: RevisionRelation,
  ) {
    super(
      `Revision ${referencedBy} names ${missing} as its ${relationWords(relation)}, but no migration has the revision id ` +
        `${missing}; restore that migration or correct the ${relation} of ${referencedBy}.`,
    );
  }
}

export class CycleError extends RevisionError {
  readonly code = 'cycle';

  /** @param revisions the cycle in upgrade order: each revision is a down revision or dependency of the next, and the last of the first. */
  constructor(readonly revisions: readonly string[]) {
    super(
      `Revisions ${[...revisions, revisions[0]].join(' -> ')} form a cycle; change the downRevision or dependsOn of one ` +
        `of them so that the chain ends at a base.`,
    );
  }
}

export class DuplicateBranchLabelError extends RevisionError {
  readonly code = 'duplicate-branch-label';

  constructor(
    readonly label: string,
    readonly revisions: readonly [string, string],
  ) {
    super(
      `Branch label ${label} is declared by both ${revisions[0]} and ${revisions[1]}; a label names one branch, so ` +
        `remove it from one of them or rename it.`,
    );
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
    super(
      owner === revision
        ? `Branch label ${label} of revision ${owner} is also its revision id; labels and ids share one namespace ` +
            `(as in Alembic), so rename the label.`
        : `Branch label ${label} of revision ${owner} is also the id of revision ${revision}; labels and ids share ` +
            `one namespace (as in Alembic), so rename the label.`,
    );
  }
}

export class InvalidRevisionIdError extends RevisionError {
  readonly code = 'invalid-revision-id';

  constructor(readonly revision: string) {
    super(
      `Revision id '${revision}' is not valid; use letters, digits and _ only, and not the words head, heads or base.`,
    );
  }
}

export class InvalidBranchLabelError extends RevisionError {
  readonly code = 'invalid-branch-label';

  constructor(
    readonly label: string,
    readonly revision: string,
  ) {
    super(
      `Branch label '${label}' of revision ${revision} is not valid; use letters, digits and _ only, and not the words ` +
        `head, heads or base.`,
    );
  }
}

// ---------------------------------------------------------------- resolution errors (reading a target)

export const TARGET_FORMS =
  'head, heads, base, +N, -N, a revision id or a prefix of at least 4 characters, LABEL, REV+N, REV-N, head-N, ' +
  'base+N, or any of these after LABEL@ or REV@ to pick a branch (LABEL@head, LABEL@base, LABEL@-N, LABEL@REV, ' +
  'LABEL@head-N, LABEL@base+N)';

export class InvalidTargetError extends RevisionError {
  readonly code = 'invalid-target';

  constructor(readonly text: string) {
    super(`'${text}' is not a valid target; use ${TARGET_FORMS}.`);
  }
}

export class UnknownRevisionError extends RevisionError {
  readonly code = 'unknown-revision';

  constructor(readonly reference: string) {
    super(
      reference.length < 4
        ? `No revision or branch label is named '${reference}', and a revision prefix needs at least 4 characters; ` +
            `type more of the revision id.`
        : `No revision or branch label matches '${reference}'; run migrate-history to list the revision ids and labels.`,
    );
  }
}

export class UnknownBranchLabelError extends RevisionError {
  readonly code = 'unknown-branch-label';

  constructor(
    readonly label: string,
    readonly knownLabels: readonly string[],
  ) {
    super(
      knownLabels.length === 0
        ? `No branch label ${label} exists, and no revision declares any branch label; use head, heads or a revision id.`
        : `No branch label ${label} exists; the labels are ${quoteList(knownLabels)}.`,
    );
  }
}

export class AmbiguousRevisionError extends RevisionError {
  readonly code = 'ambiguous-revision';

  constructor(
    readonly reference: string,
    readonly candidates: readonly string[],
  ) {
    super(
      `Revision prefix '${reference}' matches ${candidates.length} revisions (${quoteList(candidates)}); type more ` +
        `characters of the revision id.`,
    );
  }
}

export class MultipleHeadsError extends RevisionError {
  readonly code = 'multiple-heads';

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
    const labelHint =
      labelSuggestions.length > 0 ? `a branch such as ${quoteList(labelSuggestions)}` : `LABEL@head to pick a branch`;
    super(
      `Multiple head revisions are present for '${reference}' (${quoteList(heads)}); specify heads to move every ` +
        `branch, ${labelHint}, or a revision id.`,
    );
  }
}

export class RelativeWalkError extends RevisionError {
  readonly code = 'relative-walk';

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
    const direction = steps > 0 ? 'up' : 'down';
    const where = steps > 0 ? 'above' : 'below';
    const start = from ?? 'base';
    const end = steps > 0 ? 'head' : 'base';
    super(
      `Cannot move ${Math.abs(steps)} ${direction} from ${start} for '${target}': only ${available} ` +
        `${available === 1 ? 'revision is' : 'revisions are'} ${where} it; use a smaller step or ${end}.`,
    );
  }
}

/** Why a relative walk has more than one way to go. */
export type AmbiguousWalkReason = 'applied-heads' | 'bases' | 'branch-point' | 'merge-point';

export class AmbiguousWalkError extends RevisionError {
  readonly code = 'ambiguous-walk';

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
    const options = quoteList(candidates);
    const messages: Record<AmbiguousWalkReason, string> = {
      'applied-heads':
        `'${target}' is ambiguous: the database has several applied heads (${options}); ` +
        `use LABEL@${relativePart(target)} or REV${relativePart(target)} with one of them.`,
      bases:
        `'${target}' is ambiguous: nothing is applied and there are several bases (${options}); ` +
        `use LABEL@${relativePart(target)} or a revision id.`,
      'branch-point':
        `'${target}' is ambiguous: revision ${from} is a branch point with several next revisions (${options}); ` +
        `use a revision id or LABEL@${relativePart(target)}.`,
      'merge-point':
        `'${target}' is ambiguous: revision ${from} is a merge of several revisions (${options}); ` +
        `use a revision id to say which branch to go down.`,
    };
    super(messages[reason]);
  }
}

function relativePart(target: string): string {
  const match = /[+-]\d+$/.exec(target);
  return match ? match[0] : '+N';
}

export class UnknownAppliedRevisionError extends RevisionError {
  readonly code = 'unknown-applied-revision';

  constructor(readonly revision: string) {
    super(
      `The database records revision ${revision} as applied, but no migration has that revision id; restore its ` +
        `migration file, or run migrate-stamp to record the revision the database really is at.`,
    );
  }
}

export class RevisionNotOnBranchError extends RevisionError {
  readonly code = 'REVISION_NOT_ON_BRANCH';

  constructor(
    readonly target: string,
    readonly revision: string,
    readonly branch: string,
  ) {
    super(
      `Revision ${revision} is not on branch ${branch} ('${target}'): it is neither below nor above ${branch}; ` +
        `name a revision of that branch, or leave out '${branch}@'.`,
    );
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
    super(
      `'${target}' downgrades nothing: of the revisions just above it (${quoteList(from)}) none leads to ${branch}; ` +
        `use a branch label or revision above the target, or leave out '${branch}@'.`,
    );
  }
}

export class OverlappingTargetsError extends RevisionError {
  readonly code = 'OVERLAPPING_TARGETS';

  /** @param overlaps targets that lie below `revision` (or above it), so that naming both says nothing more */
  constructor(
    readonly revision: string,
    readonly overlaps: readonly string[],
  ) {
    super(
      `Requested revision ${revision} overlaps with the other requested revision(s) ${quoteList(overlaps)}: one is ` +
        `below the other; name only the upper one.`,
    );
  }
}

export class SpliceRequiredError extends RevisionError {
  readonly code = 'SPLICE_REQUIRED';

  constructor(readonly revision: string) {
    super(
      `Revision ${revision} is not a head revision; pass --splice to start a new branch from it, or base the new ` +
        `revision on a head.`,
    );
  }
}
