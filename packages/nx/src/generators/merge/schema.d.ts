export interface MergeGeneratorSchema {
  project: string;
  message: string | number;
  revisions?: Array<string | number>;
  revId?: string | number;
}
