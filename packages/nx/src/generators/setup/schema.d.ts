export interface SetupGeneratorSchema {
  project: string;
  skipFormat?: boolean;
}
