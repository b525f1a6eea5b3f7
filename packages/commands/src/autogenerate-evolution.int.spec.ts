import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { snapshotCatalog } from '../../testing/src/catalog';
import { createTestDatabase, DATABASE_KINDS, serverAdminUrl, type TestDatabase } from '../../testing/src/databases';
import { writeTestProject, type TestProject } from '../../testing/src/projects';
import { generate, NO_CHANGES, type GenerateOptions } from './generate';
import { migrate } from './migrate';
import { MemoryReporter } from './reporter';

/**
 * The schema evolution corpus (`packages/testing/corpus/evolution/<case>`: `before.ts`, `after.ts`, `case.json`, see
 * its README), each case on both databases, through the `generate` and `migrate` commands as a user runs them:
 * generate the entities before, apply; change them, generate (with the case's `--rename` and `--exclude`), check the
 * summary, apply; generate again finds nothing; downgrade one step gives back exactly the schema before (and a
 * renamed row its data); downgrade to base leaves nothing of ours.
 */
const EVOLUTION = join(__dirname, '../../testing/corpus/evolution');
const CASES = readdirSync(EVOLUTION, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

interface EvolutionCase {
  readonly operations: readonly string[];
  readonly exactly?: boolean;
  readonly nonTransactional?: boolean;
  readonly rename?: readonly string[];
  readonly warning?: string;
  readonly exclude?: readonly string[];
  readonly withoutExclude?: readonly string[];
  readonly handMigration?: { readonly up: readonly string[]; readonly down: readonly string[] };
  readonly row?: { readonly insert: string; readonly before: string; readonly after: string; readonly value: string };
}

const dataSourceOf = (entities: string) => `import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { entities } from './${entities}';

export default new DataSource({ type: 'postgres', entities });
`;

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Tables, sequences and types of the public schema, but this tool's own tables and their sequences. */
async function objectsOfOurs(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query(
      `SELECT c.relkind::text || ' ' || c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm') AND c.relname NOT LIKE 'nx\\_migrations\\_%'
       UNION ALL
       SELECT 'type ' || t.typname::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typtype = 'e'
       ORDER BY 1`,
    );
    return rows.map((row: { name: string }) => row.name);
  });
}

/** The catalog of the user's schema: this tool's own tables (version, history, lock, progress) are not part of it. */
async function userCatalog(url: string): Promise<Awaited<ReturnType<typeof snapshotCatalog>>> {
  const catalog = await snapshotCatalog(url);
  const tables = Object.fromEntries(Object.entries(catalog.tables).filter(([name]) => !name.startsWith('nx_migrations_')));
  return { ...catalog, tables };
}

async function sequences(url: string): Promise<string[]> {
  return (await objectsOfOurs(url)).filter((name) => name.startsWith('S '));
}

async function selectValue(url: string, sql: string): Promise<string> {
  return withClient(url, async (client) => String((await client.query(sql)).rows[0]?.value));
}

// The integration project's testTimeout is not applied per project by Jest; a fresh PGlite alone can take 5 s.
jest.setTimeout(240_000);

describe.each(DATABASE_KINDS)('autogenerate over the schema evolution corpus on %s', (kind) => {
  const shadowDatabaseUrl = kind === 'postgres' ? serverAdminUrl() : undefined;
  let database: TestDatabase;
  let project: TestProject;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
  });
  afterEach(async () => {
    project?.remove();
    await database?.drop();
  });

  it.each(CASES)('%s: generate, apply, nothing more to generate, down restores, base leaves nothing', async (name) => {
    const spec = JSON.parse(readFileSync(join(EVOLUTION, name, 'case.json'), 'utf8')) as EvolutionCase;
    project = writeTestProject({
      dataSource: dataSourceOf('entities-before'),
      files: {
        'src/entities-before.ts': readFileSync(join(EVOLUTION, name, 'before.ts'), 'utf8'),
        'src/entities-after.ts': readFileSync(join(EVOLUTION, name, 'after.ts'), 'utf8'),
      },
    });
    const context = () => project.context({ DATABASE_URL: database.url });
    const options: Omit<GenerateOptions, 'message'> = { shadowDatabaseUrl, exclude: spec.exclude };
    const generateAndWrite = async (message: string, extra: Partial<GenerateOptions> = {}) => {
      const reporter = new MemoryReporter();
      const result = await generate(context(), { message, ...options, ...extra }, reporter);
      if (result.changed) writeFileSync(result.path, result.content);
      return { result, reporter };
    };
    const migrateTo = async (to: string) => {
      const outcome = await migrate(context(), { to }, new MemoryReporter());
      expect(outcome).toMatchObject({ success: true });
    };

    const first = await generateAndWrite('Before', { revId: 'evolution_1' });
    expect(first.result.changed).toBe(true);
    if (spec.handMigration) {
      project.writeMigration({
        revision: 'evolution_hand',
        downRevisions: ['evolution_1'],
        message: 'Hand-written table',
        up: spec.handMigration.up.map((sql) => ({ sql })),
        down: spec.handMigration.down.map((sql) => ({ sql })),
      });
    }
    await migrateTo('head');
    if (spec.row) await withClient(database.url, (client) => client.query(spec.row!.insert));
    const before = { catalog: await userCatalog(database.url), sequences: await sequences(database.url) };

    const dataSource = project.context().dataSourceFile;
    writeFileSync(dataSource, dataSourceOf('entities-after'));

    if (spec.withoutExclude) {
      const unfiltered = await generate(context(), { message: 'Unfiltered', shadowDatabaseUrl }, new MemoryReporter());
      for (const pattern of spec.withoutExclude) expect(unfiltered.operations).toContainEqual(expect.stringMatching(new RegExp(pattern)));
    }
    if (spec.warning) {
      const reporter = new MemoryReporter();
      const unanswered = await generate(context(), { message: 'Unanswered', ...options }, reporter);
      expect(reporter.warnings).toContainEqual(expect.stringMatching(new RegExp(spec.warning)));
      expect(unanswered.operations).toContainEqual(expect.stringContaining('(destructive'));
      // Answered yes on a terminal: the same as the --rename the question names.
      const questions: string[] = [];
      const confirmRename = (question: string) => Promise.resolve(questions.push(question) > 0);
      const answered = await generate(context(), { message: 'Answered', ...options, confirmRename }, new MemoryReporter());
      expect(questions).toEqual([expect.stringMatching(new RegExp(`\\(keeps the data; --rename=${spec.rename?.[0].replace(/\./g, '\\.')}\\)\\?$`))]);
      for (const pattern of spec.operations) expect(answered.operations).toContainEqual(expect.stringMatching(new RegExp(pattern)));
    }

    const second = await generateAndWrite('After', { revId: 'evolution_2', renames: spec.rename });
    if (spec.operations.length === 0) {
      expect(second.result.changed).toBe(false);
      expect(second.reporter.lines).toContain(NO_CHANGES);
    } else {
      for (const pattern of spec.operations) expect(second.result.operations).toContainEqual(expect.stringMatching(new RegExp(pattern)));
      if (spec.exactly) expect(second.result.operations).toHaveLength(spec.operations.length);
      expect(second.reporter.warnings.filter((line) => line.startsWith('Warning:'))).toEqual([]);
      if (second.result.changed) {
        expect(second.result.content).toContain(`export const transactional = ${spec.nonTransactional ? 'false' : 'true'};`);
      }
      await migrateTo('head');
      if (spec.row) expect(await selectValue(database.url, spec.row.after)).toBe(spec.row.value);
      const again = await generate(context(), { message: 'Nothing', ...options }, new MemoryReporter());
      expect(again).toEqual({ changed: false, operations: [] });

      await migrateTo('-1');
      expect({ catalog: await userCatalog(database.url), sequences: await sequences(database.url) }).toEqual(before);
      if (spec.row) expect(await selectValue(database.url, spec.row.before)).toBe(spec.row.value);
      await migrateTo('head');
    }

    await migrateTo('base');
    expect(await objectsOfOurs(database.url)).toEqual([]);
  });
});
