import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../packages/testing/src/databases';

/**
 * The README's Install and Quick start, as written, in workspaces made by Nx's own `create-nx-workspace` (no
 * hand-written `nx.json`): the packed plugin through `nx add …@file:<tgz>`, `setup` (twice: the second run must
 * change nothing), an unqualified `nx g migration`, `migrate` on the embedded database and on the PostgreSQL
 * server, the project's own `build`, a dependent application's `build` (which migrates first), and `migrate-check`,
 * served from Nx's cache when it checks files alone and never when it checks a live database.
 *
 * Cells are `<kind>@<Nx major>`:
 * - `ts`: the `ts` preset, the entities in an `@nx/js` library of `"type": "module"` (ECMAScript modules), and a
 *   second library depending on it through its `package.json`;
 * - `node`: the `node-monorepo` preset, the entities in the CommonJS Node application, and a worker application
 *   depending on it;
 * - `nest`: the `nest` preset without package-manager workspaces, the entities in an `@nx/nest` library behind a
 *   tsconfig path alias, imported by the Nest application through `TypeOrmModule` (the README's NestJS layout).
 *
 * `E2E_WORKSPACES` chooses the cells: `all` (what `npm run test:e2e:matrix` sets), or a list such as
 * `ts@23,nest@22`. The default, run by `npm test`, is one cell per Nx major: `ts@23,node@22`. A major whose
 * `create-nx-workspace` is not published is left out with the reason printed (`nx-workspace.e2e.spec.ts` tests it in
 * a workspace made from its npm packages).
 */
const MAJORS = [22, 23, 24] as const;
const KINDS = ['ts', 'node', 'nest'] as const;
type Kind = (typeof KINDS)[number];
const DEFAULT_CELLS = 'ts@23,node@22';

const root = join(__dirname, '..');
jest.setTimeout(1_200_000);

function requestedCells(): Array<{ kind: Kind; major: number }> {
  const text = process.env['E2E_WORKSPACES'] ?? DEFAULT_CELLS;
  if (text.trim() === 'all') return MAJORS.flatMap((major) => KINDS.map((kind) => ({ kind, major })));
  return text.split(',').map((cell) => {
    const [kind, major] = cell.trim().split('@');
    if (!KINDS.includes(kind as Kind) || !/^\d+$/.test(major ?? '')) {
      throw new Error(`E2E_WORKSPACES: '${cell}' is not <kind>@<Nx major> with kind one of ${KINDS.join(', ')}.`);
    }
    return { kind: kind as Kind, major: Number(major) };
  });
}

/** The newest published `create-nx-workspace` of a major, asked of the npm registry once per major. */
const newestOfMajor = new Map<number, string | undefined>();
function createNxWorkspaceVersion(major: number): string | undefined {
  if (!newestOfMajor.has(major)) {
    const result = spawnSync('npm', ['view', `create-nx-workspace@${major}`, 'version', '--json'], { encoding: 'utf8' });
    let version: string | undefined;
    if (result.status === 0 && result.stdout.trim() !== '') {
      const parsed = JSON.parse(result.stdout) as string | string[];
      const numbers = (v: string) => v.split('.').map(Number);
      const versions = (Array.isArray(parsed) ? parsed : [parsed])
        .filter((v) => /^\d+\.\d+\.\d+$/.test(v))
        .sort((a, b) => numbers(a).reduce((order, part, i) => order || part - numbers(b)[i], 0));
      version = versions[versions.length - 1];
    }
    newestOfMajor.set(major, version);
  }
  return newestOfMajor.get(major);
}

let tarball: string;
beforeAll(() => {
  const output = execFileSync(process.execPath, [join(root, 'tools/build.mjs')], { cwd: root, encoding: 'utf8' });
  const built = output.trim().split('\n').pop()!;
  // A copy of this run's own, so another build of the repository cannot rewrite it while a workspace installs it.
  tarball = join(mkdtempSync(join(tmpdir(), 'ntm-tarball-')), basename(built));
  copyFileSync(built, tarball);
});
afterAll(() => {
  if (tarball) rmSync(dirname(tarball), { recursive: true, force: true });
});

describe('packaging', () => {
  it('npm pack and npm publish at the repository root refuse, naming the commands that make the package', () => {
    for (const [command, expected] of [
      ['pack', 'run `npm run build`: it compiles dist/ and packs it'],
      ['publish', 'run `npm run build`, then `npm publish dist`'],
    ]) {
      const result = spawnSync('npm', [command, '--dry-run'], { cwd: root, encoding: 'utf8' });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(`npm ${command} at the repository root would make a package of TypeScript sources`);
      expect(result.stderr).toContain(expected);
    }
  });

  it('the tarball of npm run build holds the compiled entry point, manifests and templates, and no TypeScript source', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    expect(files).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/packages/nx/src/index.js',
        'package/executors.json',
        'package/generators.json',
        'package/packages/nx/src/generators/setup/files/data-source/data-source.ts__tmpl__',
      ]),
    );
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    expect(manifest.scripts).toBeUndefined();
    expect(manifest.peerDependenciesMeta).toEqual({ pg: { optional: true }, typeorm: { optional: true } });
  });
});

async function examplesTables(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'examples'`);
    return rows[0].n as number;
  } finally {
    await client.end();
  }
}

/** One workspace made by `create-nx-workspace`, the project that gets migrations, and the one depending on it. */
class WorkspaceCell {
  workspace = '';
  db = { name: '', root: '', esm: false };
  dependent = '';
  private readonly parent = mkdtempSync(join(tmpdir(), 'ntm-workspaces-'));
  private database: TestDatabase | undefined;

  constructor(
    private readonly kind: Kind,
    private readonly version: string,
  ) {}

  private get scope(): string {
    return `${this.kind}${this.version.split('.')[0]}`;
  }

  create(): void {
    const name = this.scope;
    const common = ['--nxCloud=skip', '--interactive=false', '--packageManager=npm', '--skipGit'];
    if (Number(this.version.split('.')[0]) >= 23) common.push('--aiAgents=none');
    const preset: Record<Kind, string[]> = {
      ts: ['--preset=ts', '--formatter=prettier'],
      node: ['--preset=node-monorepo', '--framework=none', '--appName=api', '--docker=false', '--unitTestRunner=none', '--e2eTestRunner=none', '--linter=none'],
      nest: ['--preset=nest', '--appName=api', '--no-workspaces', '--docker=false', '--unitTestRunner=none', '--e2eTestRunner=none', '--linter=none'],
    };
    this.run(this.parent, 'npx', ['-y', `create-nx-workspace@${this.version}`, name, ...preset[this.kind], ...common]);
    this.workspace = join(this.parent, name);
    const generate = (args: string[]) => this.nx(['g', ...args, '--no-interactive']);
    if (this.kind === 'ts') {
      generate(['@nx/js:lib', 'packages/db', '--bundler=tsc', '--unitTestRunner=none', '--linter=none']);
      generate(['@nx/js:lib', 'packages/api', '--bundler=tsc', '--unitTestRunner=none', '--linter=none']);
      this.db = { name: `@${name}/db`, root: 'packages/db', esm: true };
      this.dependent = `@${name}/api`;
      this.editJson('packages/api/package.json', (json) => ({ ...json, dependencies: { ...(json['dependencies'] as object), [`@${name}/db`]: '*' } }));
      this.run(this.workspace, 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
      this.nx(['sync']);
    } else if (this.kind === 'node') {
      generate(['@nx/node:app', 'apps/worker', '--framework=none', '--unitTestRunner=none', '--e2eTestRunner=none', '--linter=none', '--docker=false']);
      this.db = { name: `@${name}/api`, root: 'apps/api', esm: false };
      this.dependent = `@${name}/worker`;
      this.editJson('apps/worker/package.json', (json) => ({ ...json, dependencies: { ...(json['dependencies'] as object), [`@${name}/api`]: '*' } }));
      this.run(this.workspace, 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
    } else {
      generate(['@nx/nest:lib', 'libs/db', '--buildable', '--unitTestRunner=none', '--linter=none']);
      this.db = { name: 'db', root: 'libs/db', esm: false };
      this.dependent = 'api';
      this.run(this.workspace, 'npm', ['install', '@nestjs/typeorm', '--no-audit', '--no-fund', '--loglevel=error']);
    }
  }

  /**
   * The README's Install: on an Nx older than the newest major of `@nx/devkit`, `@nx/devkit` of the workspace's Nx
   * first, or npm fills the plugin's peer with the newest one, which requires the newest `nx` (ERESOLVE).
   */
  devkitOfItsNx(): void {
    const nxVersion = JSON.parse(this.read('node_modules/nx/package.json')).version as string;
    const newest = this.run(this.workspace, 'npm', ['view', '@nx/devkit', 'version']).trim();
    if (Number(nxVersion.split('.')[0]) >= Number(newest.split('.')[0])) return;
    if (JSON.parse(this.read('package.json')).devDependencies?.['@nx/devkit'] !== undefined) return;
    this.run(this.workspace, 'npm', ['install', '-D', `@nx/devkit@${nxVersion}`, '--no-audit', '--no-fund', '--loglevel=error']);
  }

  /** The README's NestJS layout: the library exports its entities and options, the application imports them. */
  afterSetup(): void {
    if (this.kind !== 'nest') return;
    const alias = Object.keys(JSON.parse(this.read('tsconfig.base.json')).compilerOptions.paths).find((key) => key.endsWith('/db'))!;
    this.write('libs/db/src/data-source.ts', readmeBlock('nest-data-source'));
    this.write('libs/db/src/index.ts', `${this.read('libs/db/src/index.ts')}${readmeBlock('nest-library-index')}`);
    this.write('apps/api/src/app/app.module.ts', readmeBlock('nest-app-module').replace(/@org\/db/g, alias));
  }

  nx(args: string[], env: Record<string, string | undefined> = {}): string {
    return this.run(this.workspace, join(this.workspace, 'node_modules/.bin/nx'), args, env);
  }

  read(file: string): string {
    return readFileSync(join(this.workspace, file), 'utf8');
  }

  write(file: string, text: string): void {
    mkdirSync(dirname(join(this.workspace, file)), { recursive: true });
    writeFileSync(join(this.workspace, file), text);
  }

  editJson(file: string, edit: (json: Record<string, unknown>) => Record<string, unknown>): void {
    this.write(file, `${JSON.stringify(edit(JSON.parse(this.read(file))), null, 2)}\n`);
  }

  /** A hash of every file outside node_modules, .nx and build outputs, by path: what a generator may change. */
  fingerprint(): Record<string, string> {
    const hashes: Record<string, string> = {};
    const visit = (folder: string) => {
      for (const entry of readdirSync(folder)) {
        if (['node_modules', '.nx', 'dist', '.nx-typeorm-migrations', 'tmp'].includes(entry)) continue;
        const path = join(folder, entry);
        if (statSync(path).isDirectory()) visit(path);
        else hashes[relative(this.workspace, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
      }
    };
    visit(this.workspace);
    return hashes;
  }

  async server(): Promise<TestDatabase> {
    this.database ??= await createTestDatabase('postgres');
    return this.database;
  }

  async dispose(): Promise<void> {
    await this.database?.drop();
    if (!process.env['E2E_KEEP_WORKSPACES']) rmSync(this.parent, { recursive: true, force: true });
  }

  /** Runs a command; `env` entries set to undefined are removed. Nothing here may reach Nx Cloud. */
  private run(cwd: string, command: string, args: string[], env: Record<string, string | undefined> = {}): string {
    const merged: NodeJS.ProcessEnv = {
      ...process.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      NX_INTERACTIVE: 'false',
      NX_SKIP_NX_CACHE: undefined,
      CI: 'true',
      ...env,
    };
    for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
    const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: merged, maxBuffer: 64 * 1024 * 1024 });
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${output.slice(-6000)}`);
    return output;
  }
}

/** A fenced code block of README.md, found by the `<!-- example: NAME -->` comment above it. */
function readmeBlock(name: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const match = new RegExp(`<!-- example: ${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!match) throw new Error(`README.md has no code block marked <!-- example: ${name} -->.`);
  return match[1];
}


for (const { kind, major } of requestedCells()) {
  const version = createNxWorkspaceVersion(major);
  if (version === undefined) {
    // No workspace of that major can be made by its own tools yet (Nx 24 on 2026-12-03): the cell is not defined,
    // and the run says so. That major is still tested in a workspace made from its npm packages
    // (nx-workspace.e2e.spec.ts runs Nx 24.0.6).
    console.log(`Not run: the ${kind}@${major} workspace, since create-nx-workspace@${major} is not published on the npm registry.`);
    continue;
  }
  describe(`${kind} workspace made by create-nx-workspace@${version}`, () => {
    const cell = new WorkspaceCell(kind, version);
    beforeAll(() => cell.create());
    afterAll(() => cell.dispose());

    it('nx add installs the tarball and registers the plugin', () => {
      cell.devkitOfItsNx();
      cell.nx(['add', `nx-typeorm-migrations@file:${tarball}`]);
      const nxJson = JSON.parse(cell.read('nx.json'));
      expect(nxJson.plugins).toContainEqual(expect.objectContaining({ plugin: 'nx-typeorm-migrations' }));
      expect(nxJson.targetDefaults.build.dependsOn).toContain('^migrate');
    });

    it('setup scaffolds the project, adds the packages, and a second run changes nothing', () => {
      const output = cell.nx(['g', 'nx-typeorm-migrations:setup', `--project=${cell.db.name}`, '--no-interactive']);
      expect(output).toMatch(/Added to package\.json: .*typeorm@/);
      const dataSource = cell.read(`${cell.db.root}/src/data-source.ts`);
      if (cell.db.esm) {
        expect(dataSource).toContain('import.meta.url');
        expect(dataSource).not.toContain('__dirname');
      } else {
        expect(dataSource).toContain('__dirname');
      }
      const shown = cell.nx(['show', 'project', cell.db.name, '--json']);
      const { targets } = JSON.parse(shown.slice(shown.indexOf('{'), shown.lastIndexOf('}') + 1));
      expect(targets['migrate'].metadata).toEqual(expect.objectContaining({ technologies: ['typeorm'], description: expect.any(String) }));
      // Every workspace create-nx-workspace makes names production inputs in nx.json.
      expect(targets['migrate-check'].inputs.slice(0, 2)).toEqual(['production', '^production']);
      cell.afterSetup();
      const before = cell.fingerprint();
      const again = cell.nx(['g', 'nx-typeorm-migrations:setup', `--project=${cell.db.name}`, '--no-interactive']);
      expect(again).not.toMatch(/Added to package\.json|Turned on TypeORM/);
      expect(cell.fingerprint()).toEqual(before);
    });

    it('nx g migration autogenerates the first revision', () => {
      const output = cell.nx(['g', 'migration', `--project=${cell.db.name}`, '--message=Create examples', '--no-interactive']);
      const folder = `${cell.db.root}/migrations/versions`;
      const files = readdirSync(join(cell.workspace, folder)).filter((file) => file.endsWith('.ts'));
      expect(files).toEqual([expect.stringMatching(/^[0-9a-f]{12}_create_examples\.ts$/)]);
      expect(cell.read(`${folder}/${files[0]}`)).toContain('CREATE TABLE "examples"');
      expect(output).toContain('+ table examples');
    });

    it('migrate moves the embedded database, then the PostgreSQL server of DATABASE_URL, to head', async () => {
      expect(cell.nx(['run', `${cell.db.name}:migrate`, '--to=head'])).toContain('Database: embedded PostgreSQL');
      expect(cell.nx(['run', `${cell.db.name}:migrate-status`, '--check-heads'])).toMatch(/At head: yes/);
      const server = await cell.server();
      expect(cell.nx(['run', `${cell.db.name}:migrate`, '--to=head'], { DATABASE_URL: server.url })).toContain('(DATABASE_URL)');
      expect(await examplesTables(server.url)).toBe(1);
    });

    it("the project's own build passes", () => {
      cell.nx(['build', cell.db.name]);
    });

    it("a dependent application's build migrates the project's database first", () => {
      cell.nx(['run', `${cell.db.name}:migrate`, '--to=base', '--yes']);
      const output = cell.nx(['build', cell.dependent, '--output-style=stream']);
      const migrated = output.indexOf('Migrating from base to head');
      expect(migrated).toBeGreaterThanOrEqual(0);
      expect(output.lastIndexOf(`${cell.dependent}:build`)).toBeGreaterThan(migrated);
      expect(cell.nx(['run', `${cell.db.name}:migrate-status`, '--check-heads'])).toMatch(/At head: yes/);
    });

    it('migrate-check passes, is cached when it checks files alone, never when it checks a live database', async () => {
      const check = (env?: Record<string, string | undefined>) =>
        cell.nx(['run', `${cell.db.name}:migrate-check`, '--output-style=stream'], { DATABASE_URL: undefined, ...env });
      expect(check()).toContain('✔ entities match migrations');
      expect(check()).toContain('existing outputs match the cache');
      const { url } = await cell.server();
      for (let run = 0; run < 2; run += 1) {
        const live = check({ DATABASE_URL: url });
        expect(live).toContain('✔ applied migrations unchanged');
        expect(live).not.toContain('existing outputs match the cache');
      }
    });
  });
}
