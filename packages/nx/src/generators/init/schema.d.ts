export interface InitGeneratorSchema {
  migrateBeforeDependents?: boolean;
  skipFormat?: boolean;
}
