import { InvalidTargetError } from './errors';

/**
 * The `--to` grammar (Alembic's), parsed without looking at any graph: `[BRANCH@]ANCHOR[±N]` or `[BRANCH@]±N`.
 * - ANCHOR: `head`, `heads`, `base`, or a revision (full id, unique prefix of at least 4 characters, or a branch
 *   label meaning the revision that declares it).
 * - BRANCH: a branch label, or a revision id standing for the branch it is on (`3f2a@head`).
 * - `±N` with no anchor counts from what the database has applied (on that branch, with `BRANCH@`).
 * Revision ids and labels are `[A-Za-z0-9_]+`; N is a whole number of at least 1.
 */
export type TargetAnchor =
  | { readonly kind: 'head' }
  | { readonly kind: 'heads' }
  | { readonly kind: 'base' }
  /** A revision id, a unique prefix, or a branch label (the revision that declares it). */
  | { readonly kind: 'revision'; readonly reference: string }
  /** No anchor (`+N`, `-N`, `BRANCH@+N`, `BRANCH@-N`): relative to the applied revisions. */
  | { readonly kind: 'applied' };

export interface ParsedTarget {
  /** What the user typed, trimmed. */
  readonly text: string;
  /** `BRANCH@`: a branch label or a revision id picking a branch; null when absent. */
  readonly branch: string | null;
  readonly anchor: TargetAnchor;
  /** `+N` / `-N` after the anchor; 0 when absent (never 0 with the `applied` anchor). */
  readonly steps: number;
}

/** Words that mean something in the grammar and so cannot be revision ids or labels. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['head', 'heads', 'base']);

const NAME = /^[A-Za-z0-9_]+$/;
/** `[BRANCH@]ANCHOR[±N]`: anchor optional only when the steps are there. */
const TARGET = /^(?:([A-Za-z0-9_]+)@)?([A-Za-z0-9_]+?)?(?:([+-])([0-9]+))?$/;

/** True when `name` may be used as a revision id or a branch label. */
export function isValidName(name: string): boolean {
  return NAME.test(name) && !RESERVED_NAMES.has(name);
}

function anchorOf(word: string): TargetAnchor {
  if (word === 'head' || word === 'heads' || word === 'base') return { kind: word };
  return { kind: 'revision', reference: word };
}

/** Parses one `--to` value; throws {@link InvalidTargetError} naming the accepted forms. */
export function parseTarget(input: string): ParsedTarget {
  const text = input.trim();
  const match = TARGET.exec(text);
  if (!match || text.length === 0) throw new InvalidTargetError(text);
  const [, branch, word, sign, digits] = match;
  if (branch !== undefined && !isValidName(branch)) throw new InvalidTargetError(text);
  let steps = 0;
  if (sign !== undefined) {
    steps = Number(digits);
    if (!Number.isSafeInteger(steps) || steps < 1) throw new InvalidTargetError(text);
    if (sign === '-') steps = -steps;
  }
  if (word === undefined) {
    if (steps === 0) throw new InvalidTargetError(text);
    return { text, branch: branch ?? null, anchor: { kind: 'applied' }, steps };
  }
  return { text, branch: branch ?? null, anchor: anchorOf(word), steps };
}

/** Parses a comma-separated list of targets (`migrate-stamp --to=c3,a3`); at least one. */
export function parseTargets(input: string): ParsedTarget[] {
  const parts = input.split(',').map((part) => part.trim());
  if (parts.some((part) => part.length === 0)) throw new InvalidTargetError(input.trim());
  return parts.map(parseTarget);
}
