export interface RebaseGeneratorSchema {
  project: string;
  onto?: string | number;
  branch?: string | number;
}
