export interface MergeGeneratorSchema {
  project: string;
  message: string;
  revisions?: string[];
  revId?: string;
}
