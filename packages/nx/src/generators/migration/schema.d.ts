export interface MigrationGeneratorSchema {
  project?: string;
  message: string | number;
  empty?: boolean;
  head?: string | number;
  splice?: boolean;
  branchLabel?: string | number;
  dependsOn?: string | number | Array<string | number>;
  revId?: string | number;
  against?: 'migrations' | 'database';
  shadowDatabaseUrl?: string;
  include?: string | Array<string | number>;
  exclude?: string | Array<string | number>;
  rename?: string | Array<string | number>;
  lockTimeout?: number | string;
}
