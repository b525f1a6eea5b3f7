// Three suites: `unit` (pure logic, no database), `integration` (real PostgreSQL server and PGlite),
// `e2e` (packs the plugin and drives a fresh Nx workspace). `npm test` runs all three.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^nx-typeorm-migrations$': '<rootDir>/packages/nx/src/index.ts' },
  // bench/.cache holds the benchmark's Nx workspaces, with their own node_modules.
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/tmp/', '<rootDir>/bench/.cache/'],
};
module.exports = {
  // Jest reads the timeout only at the top level, not per project: the integration tests start real databases
  // (a fresh PGlite takes seconds on a busy machine); the e2e suite sets its own, longer one.
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/packages/**/*.spec.ts'],
      testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '/files/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/packages/**/*.int.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
    },
  ],
};
