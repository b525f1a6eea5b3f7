#!/usr/bin/env node
// `npm run build`: compiles the plugin to `dist/` keeping the source layout (so `executors.json` and
// `generators.json` point at the same paths, resolving to `.js` there), copies what Nx reads at run time
// (manifests, schemas, generator templates, README), then packs `dist/` into `dist/../tmp/pack/<name>-<version>.tgz`.
// `--no-pack` stops after the build. Prints the tarball's path last.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const packFolder = join(root, 'tmp', 'pack');
/** The folders that make the published package; tests, examples and test support stay out. */
const SHIPPED = ['packages/core/src', 'packages/adapters/src', 'packages/commands/src', 'packages/cli/src', 'packages/nx/src'];

function filesUnder(folder, keep) {
  const absolute = join(root, folder);
  if (!existsSync(absolute)) return [];
  const found = [];
  for (const entry of readdirSync(absolute)) {
    const path = join(folder, entry);
    if (statSync(join(root, path)).isDirectory()) {
      if (entry !== '__snapshots__' && entry !== 'node_modules') found.push(...filesUnder(path, keep));
    } else if (keep(path)) {
      found.push(path);
    }
  }
  return found;
}

const isTemplate = (path) => path.split(sep).includes('files');
const isSource = (path) => path.endsWith('.ts') && !/\.spec\.ts$/.test(path) && !isTemplate(path);

function compile() {
  const files = SHIPPED.flatMap((folder) => filesUnder(folder, isSource)).map((file) => join(root, file));
  const base = ts.parseJsonConfigFileContent(ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile).config, ts.sys, root);
  const options = {
    ...base.options,
    noEmit: false,
    outDir: dist,
    rootDir: root,
    declaration: true,
    types: ['node'],
  };
  const program = ts.createProgram(files, options);
  const result = program.emit();
  const diagnostics = ts.getPreEmitDiagnostics(program).concat(result.diagnostics);
  if (diagnostics.length > 0) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
    process.stderr.write(ts.formatDiagnostics(diagnostics, host));
    throw new Error(`The build failed: ${diagnostics.length} TypeScript error(s) above; fix them and run npm run build again.`);
  }
  return files.length;
}

function copyRuntimeFiles() {
  for (const folder of SHIPPED) {
    for (const file of filesUnder(folder, (path) => path.endsWith('schema.json') || isTemplate(path))) {
      mkdirSync(dirname(join(dist, file)), { recursive: true });
      cpSync(join(root, file), join(dist, file));
    }
  }
  for (const file of ['executors.json', 'generators.json', 'README.md', 'LICENSE']) {
    if (existsSync(join(root, file))) cpSync(join(root, file), join(dist, file));
  }
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  delete manifest.scripts;
  delete manifest.devDependencies;
  if (manifest.bin && !Object.values(manifest.bin).every((path) => existsSync(join(dist, path)))) delete manifest.bin;
  writeFileSync(join(dist, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function pack() {
  mkdirSync(packFolder, { recursive: true });
  const output = execFileSync('npm', ['pack', dist, '--pack-destination', packFolder, '--json', '--loglevel=error'], {
    cwd: root,
    encoding: 'utf8',
  });
  const [{ filename }] = JSON.parse(output);
  return join(packFolder, filename);
}

rmSync(dist, { recursive: true, force: true });
const started = Date.now();
try {
  const count = compile();
  const manifest = copyRuntimeFiles();
  console.log(`Built ${manifest.name}@${manifest.version}: ${count} modules into ${relative(root, dist)}/ in ${Date.now() - started} ms.`);
  if (!process.argv.includes('--no-pack')) console.log(pack());
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
