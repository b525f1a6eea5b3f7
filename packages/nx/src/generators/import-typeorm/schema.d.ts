export interface ImportTypeormGeneratorSchema {
  project: string;
}
