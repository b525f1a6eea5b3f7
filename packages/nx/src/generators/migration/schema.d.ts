export interface MigrationGeneratorSchema {
  project?: string;
  message: string;
  empty?: boolean;
  head?: string;
  splice?: boolean;
  branchLabel?: string;
  dependsOn?: string[];
  revId?: string;
  against?: 'migrations' | 'database';
  shadowDatabaseUrl?: string;
  include?: string[];
  exclude?: string[];
  rename?: string[];
}
