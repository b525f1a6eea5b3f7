import { CodedError } from '../../core/src/errors';
import { RevisionGraph } from '../../core/src/graph';
import type { RevisionSpec } from '../../core/src/revision';

/**
 * Test fixtures: a revision graph from one line. Revisions are separated by `;`, each written
 * `ID[@LABEL,...][<DOWN,...][~DEPENDENCY,...]`, e.g. `a@auth; b<a; c<a; m<b,c~x; x`.
 */
export function revisionSpecs(shape: string): RevisionSpec[] {
  return shape
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const match = /^([^@<~\s]+)(?:@([^<~\s]+))?(?:<([^~\s]+))?(?:~(\S+))?$/.exec(part);
      if (!match) throw new Error(`Bad revision fixture '${part}'`);
      const [, id, labels, downs, dependencies] = match;
      return {
        id: id!,
        downRevisions: downs ? downs.split(',') : [],
        ...(dependencies && { dependsOn: dependencies.split(',') }),
        ...(labels && { branchLabels: labels.split(',') }),
        message: `message of ${id}`,
      };
    });
}

export function graphOf(shape: string): RevisionGraph {
  return RevisionGraph.build(() => revisionSpecs(shape));
}

/** A chain of `count` revisions `r0 <- r1 <- ...`, ids zero-padded so that their order is their number. */
export function linearSpecs(count: number, prefix = 'r'): RevisionSpec[] {
  const width = String(count - 1).length;
  const id = (index: number) => `${prefix}${String(index).padStart(width, '0')}`;
  return Array.from({ length: count }, (_, index) => ({
    id: id(index),
    downRevisions: index === 0 ? [] : [id(index - 1)],
  }));
}

/** The coded error an action throws; fails the test when it throws nothing or something else. */
export function captureError(action: () => unknown): CodedError {
  try {
    action();
  } catch (error) {
    if (error instanceof CodedError) return error;
    throw error;
  }
  throw new Error('expected a CodedError, none was thrown');
}
