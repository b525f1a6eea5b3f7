import { InvalidTargetError } from './errors';

/**
 * The `--to` grammar (Alembic's), parsed without looking at any graph:
 * `head`, `heads`, `base`, `+N`, `-N`, `REV` (full id, unique prefix of at least 4 characters, or a branch label
 * meaning its head), `REV+N`, `REV-N`, `LABEL@head`, `LABEL@base`, `LABEL@+N`, `LABEL@-N`.
 * Revision ids and labels are `[A-Za-z0-9_]+`; N is a whole number of at least 1.
 */
export type ParsedTarget =
  | { readonly kind: 'head'; readonly text: string }
  | { readonly kind: 'heads'; readonly text: string }
  | { readonly kind: 'base'; readonly text: string }
  /** `+N` / `-N`: relative to the applied heads. */
  | { readonly kind: 'relative'; readonly text: string; readonly steps: number }
  /** `REV`: a revision id, a unique prefix, or a branch label (its head). */
  | { readonly kind: 'revision'; readonly text: string; readonly reference: string }
  /** `REV+N` / `REV-N`: relative to a revision, whatever is applied. */
  | { readonly kind: 'revision-relative'; readonly text: string; readonly reference: string; readonly steps: number }
  | { readonly kind: 'label-head'; readonly text: string; readonly label: string }
  | { readonly kind: 'label-base'; readonly text: string; readonly label: string }
  /** `LABEL@+N` / `LABEL@-N`: relative to the applied head of that branch. */
  | { readonly kind: 'label-relative'; readonly text: string; readonly label: string; readonly steps: number };

/** Words that mean something in the grammar and so cannot be revision ids or labels. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['head', 'heads', 'base']);

const NAME = /^[A-Za-z0-9_]+$/;
const RELATIVE = /^([+-])([0-9]+)$/;
const NAME_RELATIVE = /^([A-Za-z0-9_]+)([+-])([0-9]+)$/;
const LABELLED = /^([A-Za-z0-9_]+)@(.+)$/;

/** True when `name` may be used as a revision id or a branch label. */
export function isValidName(name: string): boolean {
  return NAME.test(name) && !RESERVED_NAMES.has(name);
}

function signedSteps(text: string, sign: string, digits: string): number {
  const count = Number(digits);
  if (!Number.isSafeInteger(count) || count < 1) throw new InvalidTargetError(text);
  return sign === '-' ? -count : count;
}

/** Parses one `--to` value; throws {@link InvalidTargetError} naming the accepted forms. */
export function parseTarget(input: string): ParsedTarget {
  const text = input.trim();
  if (text === 'head' || text === 'heads' || text === 'base') return { kind: text, text };

  const relative = RELATIVE.exec(text);
  if (relative) return { kind: 'relative', text, steps: signedSteps(text, relative[1]!, relative[2]!) };

  const labelled = LABELLED.exec(text);
  if (labelled) {
    const label = labelled[1]!;
    const rest = labelled[2]!;
    if (!isValidName(label)) throw new InvalidTargetError(text);
    if (rest === 'head') return { kind: 'label-head', text, label };
    if (rest === 'base') return { kind: 'label-base', text, label };
    const step = RELATIVE.exec(rest);
    if (step) return { kind: 'label-relative', text, label, steps: signedSteps(text, step[1]!, step[2]!) };
    throw new InvalidTargetError(text);
  }

  const nameRelative = NAME_RELATIVE.exec(text);
  if (nameRelative) {
    const reference = nameRelative[1]!;
    if (!isValidName(reference)) throw new InvalidTargetError(text);
    return {
      kind: 'revision-relative',
      text,
      reference,
      steps: signedSteps(text, nameRelative[2]!, nameRelative[3]!),
    };
  }

  if (isValidName(text)) return { kind: 'revision', text, reference: text };
  throw new InvalidTargetError(text);
}
