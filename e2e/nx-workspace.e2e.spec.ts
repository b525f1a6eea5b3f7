import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../packages/testing/src/databases';

/**
 * The packed plugin in a workspace made from scratch the way a user makes one: npm packages from the registry,
 * `nx add`, `setup`, an unqualified `nx g migration`, `migrate` on the PostgreSQL server and on the embedded
 * database, a build that migrates its dependency first, `nx affected` over two commits (also with
 * `--configuration=staging` when one project has no staging), and what to type next to `@nx/plugin`, whose own
 * `migration` generator makes the bare name ambiguous.
 *
 * Nx versions: `E2E_NX_VERSIONS` (comma-separated), default 23.2.1 and 24.0.6 (whose create-nx-workspace is not
 * published, so this is where Nx 24 is tested); `workspaces.e2e.spec.ts` runs the quick start on Nx 22 and 23 in
 * workspaces made by their create-nx-workspace.
 */
const NX_VERSIONS = (process.env['E2E_NX_VERSIONS'] ?? '23.2.1,24.0.6').split(',').map((v) => v.trim());

/**
 * What a workspace of each Nx release installs beside it: `@nx/devkit` of the same release where one is published
 * (Nx 24's stops at 24.0.0), and `@nx/plugin` where its major has one (none of Nx 24 is published, checked
 * 2026-12-03: the case next to `@nx/plugin` is then not defined for that release, and the run says so).
 */
function companionsOf(nxVersion: string): { devkit: string; plugin?: string } {
  const known: Record<string, { devkit: string; plugin?: string }> = { '24.0.6': { devkit: '24.0.0' } };
  return known[nxVersion] ?? { devkit: nxVersion, plugin: nxVersion };
}
const root = join(__dirname, '..');

// `testTimeout` of jest.config.js is a global option that a project entry does not set.
jest.setTimeout(900_000);

let tarball: string;

beforeAll(() => {
  const output = execFileSync(process.execPath, [join(root, 'tools/build.mjs')], { cwd: root, encoding: 'utf8' });
  tarball = output.trim().split('\n').pop()!;
});

/** How many tables named `examples` (the table of setup's example entity) the database at `url` has. */
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

describe.each(NX_VERSIONS)('a fresh workspace on Nx %s', (nxVersion) => {
  const companions = companionsOf(nxVersion);
  let workspace: string;
  let server: TestDatabase;
  let staging: TestDatabase | undefined;

  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(workspace, file)), { recursive: true });
    writeFileSync(join(workspace, file), text);
  };
  /** Runs a command in the workspace; `env` entries set to undefined are removed from the environment. */
  const run = (command: string, args: string[], env: Record<string, string | undefined> = {}) => {
    const merged: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_INTERACTIVE: 'false', NX_OUTPUT_STYLE: 'stream', CI: 'true', ...env };
    for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
    const result = spawnSync(command, args, { cwd: workspace, encoding: 'utf8', env: merged });
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${output}`);
    return output;
  };
  const nx = (args: string[], env?: Record<string, string | undefined>) => run(join(workspace, 'node_modules/.bin/nx'), args, env);
  const git = (...args: string[]) => run('git', args);

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), `ntm-e2e-nx${nxVersion.split('.')[0]}-`));
    server = await createTestDatabase('postgres');
    write(
      'package.json',
      JSON.stringify(
        // `@nx/devkit` of the workspace's Nx, as every Nx plugin of the workspace brings it: left to npm, the
        // plugin's peer range would get the newest @nx/devkit, which requires the newest nx.
        { name: 'shop', private: true, devDependencies: { nx: nxVersion, '@nx/devkit': companions.devkit, typeorm: '1.1.1', pg: '8.23.1' } },
        null,
        2,
      ),
    );
    write('nx.json', JSON.stringify({ neverConnectToCloud: true }, null, 2));
    write('.gitignore', 'node_modules\n.nx\n');
    write('packages/db/project.json', JSON.stringify({ name: 'db', targets: {} }));
    write(
      'packages/app/project.json',
      JSON.stringify({ name: 'app', implicitDependencies: ['db'], targets: { build: { command: 'node -e "console.log(\'app built\')"' } } }),
    );
    write(
      'packages/tools/project.json',
      JSON.stringify({ name: 'tools', targets: { build: { command: 'node -e "console.log(\'tools built\')"' } } }),
    );
    write('packages/tools/src/index.ts', 'export const version = 1;\n');
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
    git('init', '-q');
    git('config', 'user.email', 'e2e@example.com');
    git('config', 'user.name', 'e2e');
  });

  afterAll(async () => {
    await server?.drop();
    await staging?.drop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('nx add installs the tarball and registers the plugin', () => {
    nx(['add', `nx-typeorm-migrations@file:${tarball}`]);
    const nxJson = JSON.parse(readFileSync(join(workspace, 'nx.json'), 'utf8'));
    expect(nxJson.plugins).toEqual([expect.objectContaining({ plugin: 'nx-typeorm-migrations' })]);
    expect(nxJson.targetDefaults.build.dependsOn).toContain('^migrate');
    expect(readFileSync(join(workspace, '.gitignore'), 'utf8')).toContain('.nx-typeorm-migrations/');
  });

  it('setup gives the project a data source and the five targets', () => {
    nx(['g', 'nx-typeorm-migrations:setup', '--project=db', '--no-interactive']);
    expect(readFileSync(join(workspace, 'packages/db/src/data-source.ts'), 'utf8')).toContain("process.env['DATABASE_URL']");
    const project = JSON.parse(nx(['show', 'project', 'db', '--json']).trim().split('\n').filter((l) => l.startsWith('{')).pop()!);
    expect(Object.keys(project.targets)).toEqual(
      expect.arrayContaining(['migrate', 'migrate-status', 'migrate-history', 'migrate-check', 'migrate-stamp']),
    );
  });

  it('an unqualified nx g migration autogenerates the first revision', () => {
    const output = nx(['g', 'migration', '--project=db', '--message=Create examples', '--no-interactive']);
    const files = readdirSync(join(workspace, 'packages/db/migrations/versions')).filter((f) => f.endsWith('.ts'));
    expect(files).toEqual([expect.stringMatching(/^[0-9a-f]{12}_create_examples\.ts$/)]);
    expect(readFileSync(join(workspace, 'packages/db/migrations/versions', files[0]), 'utf8')).toContain('CREATE TABLE "examples"');
    expect(output).toContain('examples');
  });

  it('migrates the PostgreSQL server named by DATABASE_URL to head', async () => {
    const output = nx(['run', 'db:migrate', '--to=head'], { DATABASE_URL: server.url });
    expect(output).toContain('(DATABASE_URL)');
    expect(await examplesTables(server.url)).toBe(1);
  });

  it('migrates the embedded database when no database is configured', () => {
    const output = nx(['run', 'db:migrate', '--to=head']);
    expect(output).toContain('embedded PostgreSQL in .nx-typeorm-migrations/db');
    expect(nx(['run', 'db:migrate-status', '--check-heads'])).toMatch(/At head: yes/);
  });

  it('nx build app runs db:migrate first', () => {
    const output = nx(['build', 'app', '--output-style=stream']);
    const migrated = output.indexOf('Database: embedded PostgreSQL in .nx-typeorm-migrations/db');
    expect(output).toContain('db:migrate');
    expect(migrated).toBeGreaterThanOrEqual(0);
    expect(output.indexOf('app built')).toBeGreaterThan(migrated);
  });

  it('nx affected over two commits runs only the changed project', () => {
    git('add', '-A');
    git('commit', '-qm', 'base');
    write('packages/tools/src/index.ts', 'export const version = 2;\n');
    git('commit', '-qam', 'change tools only');
    const output = nx(['affected', '-t', 'build,migrate-status', '--base=HEAD~1', '--head=HEAD', '--output-style=stream']);
    expect(output).toContain('tools built');
    expect(output).not.toContain('db:');
    expect(output).not.toContain('app built');
  });

  it('nx affected -t migrate -c staging: staging where the project has .env.staging, its default database where not', async () => {
    staging = await createTestDatabase('postgres');
    write('packages/billing/project.json', JSON.stringify({ name: 'billing', targets: {} }));
    nx(['g', 'nx-typeorm-migrations:setup', '--project=billing', '--no-interactive']);
    write('packages/db/.env.staging', 'DATABASE_URL=${DB_STAGING_DATABASE_URL}\n');
    git('add', '-A');
    git('commit', '-qm', 'billing, and a staging environment for db');
    const output = nx(['affected', '-t', 'migrate', '--configuration=staging', '--base=HEAD~1', '--head=HEAD', '--output-style=stream'], {
      DATABASE_URL: undefined,
      DB_STAGING_DATABASE_URL: staging.url,
    });
    expect(output).toContain('db:migrate:staging');
    expect(output).toMatch(/Database: postgres:\/\/\S+ \(DATABASE_URL\)/);
    expect(output).not.toContain('billing:migrate:staging');
    expect(output).toContain('Database: embedded PostgreSQL in .nx-typeorm-migrations/billing');
    expect(output).not.toContain('tools');
    expect(await examplesTables(staging.url)).toBe(1);
  });

  if (companions.plugin === undefined) console.log(`Nx ${nxVersion}: no @nx/plugin of its major is published, so the case next to it is not run.`);
  const besidePlugin = companions.plugin === undefined ? () => undefined : it;
  besidePlugin('next to @nx/plugin: the bare nx g migration is ambiguous, nx g revision and the qualified name work', () => {
    run('npm', ['install', '-D', `@nx/plugin@${companions.plugin}`, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
    const versions = join(workspace, 'packages/db/migrations/versions');
    expect(() => nx(['g', 'migration', '--project=db', '--message=Ambiguous', '--empty', '--no-interactive'])).toThrow(
      /Specify the generator name.*nx-typeorm-migrations:migration/,
    );
    nx(['g', 'revision', '--project=db', '--message=Add notes', '--empty', '--rev-id=notes_1', '--no-interactive']);
    nx(['g', 'nx-typeorm-migrations:migration', '--project=db', '--message=Add tags', '--empty', '--rev-id=tags_1', '--no-interactive']);
    const files = readdirSync(versions);
    expect(files).toEqual(expect.arrayContaining(['notes_1_add_notes.ts', 'tags_1_add_tags.ts']));
    expect(files.some((file) => file.includes('ambiguous'))).toBe(false);
    expect(readFileSync(join(versions, 'tags_1_add_tags.ts'), 'utf8')).toContain("'notes_1'");
  });

  it('a long summary reaches a parent process that reads it through a pipe', () => {
    // Nx exits as soon as a generator returns; a summary of 300 tables and their indexes (about 20 kB) still queued for a socket (what a Node parent
    // process, a CI runner or a bench reads through) was cut short, at a different line on every run.
    const tables = Array.from({ length: 300 }, (_, index) => `big_${index + 1}`);
    nx(['g', 'nx-typeorm-migrations:setup', '--project=tools', '--no-interactive']);
    write(
      'packages/tools/src/data-source.ts',
      `import { DataSource, EntitySchema } from 'typeorm';\n` +
        `const entities = ${JSON.stringify(tables)}.map((name) => new EntitySchema({ name, columns: { id: { type: Number, primary: true, generated: true }, label: { type: String } }, indices: [{ columns: ['label'] }] }));\n` +
        `export default new DataSource({ type: 'postgres', url: process.env['DATABASE_URL'], entities });\n`,
    );
    const output = nx(['g', 'nx-typeorm-migrations:migration', '--project=tools', '--message=Big', '--dry-run', '--no-interactive']);
    const listed = output.split('\n').filter((line) => /^\s*\+ table big_\d+$/.test(line)).map((line) => line.trim().slice('+ table '.length));
    expect(listed).toEqual(tables);
  });
});
