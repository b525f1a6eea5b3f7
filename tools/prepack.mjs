#!/usr/bin/env node
// `prepack` of the repository root: `npm pack` and `npm publish` here would pack the TypeScript sources without the
// compiled entry point Nx loads (packages/nx/src/index.js), a package that installs and then fails. The published
// package is `dist/`, made by `npm run build`; this stops the wrong one loudly and names the commands to use.
// `npm run build` packs `dist/` itself: a package without this script, so it is not stopped there.
const command = process.env.npm_command === 'publish' ? 'publish' : 'pack';
const next =
  command === 'publish'
    ? 'run `npm run build`, then `npm publish dist`'
    : 'run `npm run build`: it compiles dist/ and packs it into tmp/pack/nx-typeorm-migrations-<version>.tgz';
process.stderr.write(`npm ${command} at the repository root would make a package of TypeScript sources that Nx cannot load; ${next}.\n`);
process.exit(1);
