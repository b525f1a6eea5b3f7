export interface RebaseGeneratorSchema {
  project: string;
  onto?: string;
  branch?: string;
}
