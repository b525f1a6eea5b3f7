/** One migration as the revision engine sees it: what a migration file declares, nothing more. */
export interface RevisionSpec {
  readonly id: string;
  /** None: a base. Several: a merge. */
  readonly downRevisions: readonly string[];
  /** Revisions that must be applied first without being parents (Alembic's `depends_on`). */
  readonly dependsOn?: readonly string[];
  readonly branchLabels?: readonly string[];
  readonly message?: string;
}

/** A revision once the graph is built: its declarations plus what the graph knows about it. */
export interface Revision {
  readonly id: string;
  readonly downRevisions: readonly string[];
  readonly dependsOn: readonly string[];
  /** The labels this revision declares. */
  readonly branchLabels: readonly string[];
  /** Every label whose branch this revision belongs to (declared here, on an ancestor, or on the branch above it). */
  readonly branches: readonly string[];
  readonly message: string;
  /** Revisions that name this one as a down revision, sorted by id. */
  readonly nextRevisions: readonly string[];
  /** Revisions that name this one in `dependsOn`, sorted by id. */
  readonly dependents: readonly string[];
  readonly isBase: boolean;
  readonly isHead: boolean;
  readonly isMergePoint: boolean;
  readonly isBranchPoint: boolean;
}
