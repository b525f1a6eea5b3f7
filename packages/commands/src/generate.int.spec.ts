import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageCacheFile } from '../../adapters/src/fs/tool-cache';
import { createTestDatabase, DATABASE_KINDS, serverAdminUrl, type TestDatabase } from '../../testing/src/databases';
import { writeTestProject, type TestProject } from '../../testing/src/projects';
import { generate, NO_CHANGES } from './generate';
import { migrate } from './migrate';
import { MemoryReporter } from './reporter';

// The integration project's testTimeout is not applied per project by Jest; a fresh PGlite alone can take 5 s.
jest.setTimeout(120_000);

const USER_WITH_EMAIL = `import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column()
  name!: string;

  @Index({ unique: true })
  @Column({ type: 'varchar', nullable: true })
  email!: string | null;
}
`;

/** The shadow database on each kind: a temporary database on the server, or the default in-memory PGlite. */
describe.each(DATABASE_KINDS)('generate with a shadow database on %s', (kind) => {
  let project: TestProject;
  const shadowDatabaseUrl = kind === 'postgres' ? serverAdminUrl() : undefined;

  beforeEach(() => {
    project = writeTestProject();
  });
  afterEach(() => project.remove());

  function write(result: Awaited<ReturnType<typeof generate>>): string {
    if (!result.changed) throw new Error('expected a migration');
    for (const file of result.files) writeFileSync(file.path, file.content);
    return result.revision;
  }

  it('creates the first migration, finds no changes once it exists, then only the new column', async () => {
    const first = new MemoryReporter();
    const created = await generate(project.context(), { message: 'Create users', shadowDatabaseUrl }, first);
    expect(created.changed).toBe(true);
    if (!created.changed) return;
    expect(created.path).toBe(join(project.migrationsDir, `${created.revision}_create_users.ts`));
    expect(created.operations).toEqual(['+ table users']);
    expect(created.content).toContain(`export const downRevision: string | readonly string[] | null = null;`);
    expect(created.content).toMatch(/await queryRunner\.query\(`CREATE TABLE "users"/);
    expect(created.content).toMatch(/await queryRunner\.query\(`DROP TABLE "users"`\);/);
    expect(first.lines[0]).toMatch(kind === 'postgres' ? /^Shadow database: temporary database "nx_typeorm_migrations_shadow_/ : /^Shadow database: an in-memory embedded PostgreSQL/);
    write(created);

    const again = new MemoryReporter();
    expect(await generate(project.context(), { message: 'Nothing', shadowDatabaseUrl }, again)).toEqual({ changed: false, operations: [] });
    expect(again.lines).toContain(NO_CHANGES);

    // A new file: entity modules are cached by Node within one process (each `nx g` is a process of its own).
    writeFileSync(join(project.projectRoot, 'src/entities/user-v2.entity.ts'), USER_WITH_EMAIL);
    const dataSource = join(project.projectRoot, 'src/data-source.ts');
    writeFileSync(dataSource, readFileSync(dataSource, 'utf8').replace('./entities/user.entity', './entities/user-v2.entity'));
    const secondReporter = new MemoryReporter();
    const second = await generate(project.context(), { message: 'Add email', shadowDatabaseUrl }, secondReporter);
    // The shadow replayed by the generate before is saved (in-memory: its files; on a server: the database, kept),
    // keyed by the migrations' checksums.
    expect(secondReporter.lines[0]).toMatch(/, saved with 1 of 1 migrations applied($|;)/);
    expect(second.changed && second.operations).toEqual(['+ column users.email', expect.stringMatching(/^\+ unique index IDX_\w+ on users$/)]);
    expect(second.changed && second.content).toContain(`export const downRevision: string | readonly string[] | null = '${created.revision}';`);
    // The index of an existing table is built CONCURRENTLY, in a second migration outside a transaction.
    if (!second.changed) return;
    expect(second.files.map((file) => file.transactional)).toEqual([true, false]);
    expect(second.files[1].content).toContain(`export const downRevision: string | readonly string[] | null = '${second.revision}';`);
    expect(second.files[1].content).toContain('export const transactional = false;');
    expect(second.files[1].content).toMatch(/CREATE UNIQUE INDEX CONCURRENTLY "IDX_\w+" ON "users"\s+\("email"\)/);
    expect(second.files[1].content).toMatch(/DROP INDEX CONCURRENTLY "public"\."IDX_\w+"/);
    expect(second.risks.filter((risk) => risk.severity === 'error')).toEqual([]);
    write(second);
    expect(await generate(project.context(), { message: 'Nothing', shadowDatabaseUrl }, new MemoryReporter())).toEqual({ changed: false, operations: [] });
  });

  it('refuses an entity and two join tables naming one table, naming each, and writes nothing', async () => {
    const colliding = writeTestProject({
      dataSource: `import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { entities } from './shop';

export default new DataSource({ type: 'postgres', entities });
`,
      files: {
        'src/shop.ts': `import { Entity, JoinTable, ManyToMany, PrimaryGeneratedColumn } from 'typeorm';

@Entity('category')
export class Category {
  @PrimaryGeneratedColumn() id!: number;
}

@Entity('product_category')
export class ProductCategory {
  @PrimaryGeneratedColumn() id!: number;
}

@Entity('product')
export class Product {
  @PrimaryGeneratedColumn() id!: number;
  @ManyToMany(() => Category) @JoinTable({ name: 'product_category' }) categories!: Category[];
  @ManyToMany(() => Category) @JoinTable({ name: 'product_category' }) featured!: Category[];
}

export const entities = [Category, ProductCategory, Product];
`,
      },
    });
    try {
      await expect(generate(colliding.context(), { message: 'Shop', shadowDatabaseUrl }, new MemoryReporter())).rejects.toThrow(
        'Table public.product_category is defined by entity ProductCategory, the many-to-many join table of Product.categories, ' +
          'the many-to-many join table of Product.featured: one table cannot have several definitions',
      );
      expect(readdirSync(colliding.migrationsDir)).toEqual([]);
    } finally {
      colliding.remove();
    }
  });

  it('does not start from the saved shadow once a migration it holds is edited', async () => {
    const created = await generate(project.context(), { message: 'Create users', shadowDatabaseUrl }, new MemoryReporter());
    write(created);
    const replayed = new MemoryReporter();
    expect(await generate(project.context(), { message: 'Nothing', shadowDatabaseUrl }, replayed)).toEqual({ changed: false, operations: [] });
    expect(replayed.lines[0]).not.toMatch(/saved with/);
    const restored = new MemoryReporter();
    expect(await generate(project.context(), { message: 'Nothing', shadowDatabaseUrl }, restored)).toEqual({ changed: false, operations: [] });
    expect(restored.lines[0]).toMatch(/, saved with 1 of 1 migrations applied($|;)/);
    // In memory, the answers recorded after the replay suffice: the shadow does not even start.
    if (kind === 'pglite') expect(restored.lines[0]).toMatch(/; not started, its \d+ recorded answers sufficed$/);

    if (!created.changed) return;
    const file = created.path;
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('"name" character varying NOT NULL,');
    writeFileSync(file, text.replace('"name" character varying NOT NULL,', '"name" character varying NOT NULL, "nickname" text,'));
    const edited = new MemoryReporter();
    const result = await generate(project.context(), { message: 'Drop nickname', shadowDatabaseUrl }, edited);
    expect(edited.lines[0]).not.toMatch(/saved with/);
    expect(result.changed && result.operations).toEqual([expect.stringMatching(/^- column users\.nickname\b/)]);
  });

  it('names the migration that fails to replay and writes nothing', async () => {
    const broken = await generate(project.context(), { message: 'Broken', empty: true, revId: 'broken_1' }, new MemoryReporter());
    if (!broken.changed) throw new Error('expected a migration');
    writeFileSync(broken.path, broken.content.replace('// Write the statements here', 'await queryRunner.query(`CREATE TABLE nope (`);\n  //'));
    await expect(generate(project.context(), { message: 'Next', shadowDatabaseUrl }, new MemoryReporter())).rejects.toThrow(
      /^Replaying the existing migrations into the shadow database failed, so nothing was generated: .*broken_1/,
    );
  });

  it('replays into a shadow that has the extensions the entities need (uuid-ossp, citext), then finds no changes', async () => {
    // An in-memory shadow loads only the extensions the entities and migrations use: without these two, TypeORM
    // cannot create them on connecting and the replay of the first migration fails.
    const devices = writeTestProject({
      files: {
        'src/entities/device.entity.ts': `import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('devices')
export class Device {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('citext') serial!: string;
}
`,
      },
      dataSource: `import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { Device } from './entities/device.entity';

export default new DataSource({ type: 'postgres', entities: [Device] });
`,
    });
    try {
      const created = await generate(devices.context(), { message: 'Create devices', shadowDatabaseUrl }, new MemoryReporter());
      expect(created.changed && created.content).toMatch(/uuid_generate_v4\(\)[\s\S]*"serial" citext NOT NULL/);
      write(created);
      const again = new MemoryReporter();
      expect(await generate(devices.context(), { message: 'Nothing', shadowDatabaseUrl }, again)).toEqual({ changed: false, operations: [] });
      expect(again.lines).toContain(NO_CHANGES);
    } finally {
      devices.remove();
    }
  });
});

const USER_WITH_EMAIL_AND_KIND = `import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum UserKind {
  Person = 'person',
  Robot = 'robot',
}

@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column()
  name!: string;

  @Column({ type: 'varchar', nullable: true })
  email!: string | null;

  @Column({ type: 'enum', enum: UserKind, default: UserKind.Person })
  kind!: UserKind;
}
`;

const TEAM = `import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('teams')
export class Team {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column()
  title!: string;
}
`;

/** Answers apply to the in-memory shadow only (a server's shadow is always asked). */
describe('generate from the recorded answers of the in-memory shadow', () => {
  let project: TestProject;

  beforeEach(() => {
    project = writeTestProject();
  });
  afterEach(() => {
    rmSync(answersFileOf(project.migrationsDir), { force: true });
    project.remove();
  });

  /** Where generate keeps the answers of the shadow of `migrationsDir`'s migrations (see shadow-answers.ts). */
  function answersFileOf(migrationsDir: string): string {
    const name = createHash('sha256').update(migrationsDir).digest('hex').slice(0, 16);
    const file = packageCacheFile('@electric-sql/pglite', (version) => `answers-${version}-${name}.bin`);
    if (!file) throw new Error('no cache folder for the answers');
    return file;
  }

  it('generates the same migration for changed entities with the answers as after they are deleted', async () => {
    const created = await generate(project.context(), { message: 'Create users' }, new MemoryReporter());
    if (!created.changed) throw new Error('expected a migration');
    for (const file of created.files) writeFileSync(file.path, file.content);
    // Replays the first migration, saves the shadow, and records the answers of the shadow in that state.
    const replayed = new MemoryReporter();
    expect(await generate(project.context(), { message: 'Nothing' }, replayed)).toEqual({ changed: false, operations: [] });
    expect(replayed.lines[0]).not.toMatch(/saved with|not started/);
    expect(existsSync(answersFileOf(project.migrationsDir))).toBe(true);

    // A column and an enum column on the existing entity, and a new entity (new files: modules are cached per process).
    writeFileSync(join(project.projectRoot, 'src/entities/user-v3.entity.ts'), USER_WITH_EMAIL_AND_KIND);
    writeFileSync(join(project.projectRoot, 'src/entities/team.entity.ts'), TEAM);
    writeFileSync(
      project.dataSourceFile,
      `import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { User } from './entities/user-v3.entity';
import { Team } from './entities/team.entity';

export default new DataSource({ type: 'postgres', entities: [User, Team] });
`,
    );
    const options = { message: 'Add email, kind and teams', revId: 'answers_2', now: new Date(Date.UTC(2026, 11, 3, 12, 0, 0)) };

    const answered = new MemoryReporter();
    const withAnswers = await generate(project.context(), options, answered);
    if (!withAnswers.changed) throw new Error('expected a migration');
    // Tables, columns and type names are asked of the shadow whole, whatever the entities: the answers recorded after
    // the replay hold them, and the shadow does not start.
    expect(answered.lines[0]).toMatch(/^Shadow database: an in-memory embedded PostgreSQL \(PGlite\), saved with 1 of 1 migrations applied; not started, its \d+ recorded answers sufficed$/);
    expect(withAnswers.content).toContain(`ALTER TABLE "users" ADD "email" character varying`);
    expect(withAnswers.content).toContain(`CREATE TYPE "public"."users_kind_enum" AS ENUM('person', 'robot')`);
    expect(withAnswers.content).toContain(`ALTER TABLE "users" ADD "kind" "public"."users_kind_enum" NOT NULL DEFAULT 'person'`);
    expect(withAnswers.content).toMatch(/CREATE TABLE "teams" \("id" SERIAL NOT NULL, "title" character varying NOT NULL/);
    expect(withAnswers.operations).toEqual(expect.arrayContaining(['+ table teams', '+ column users.email', expect.stringMatching(/^\+ column users\.kind\b/)]));

    rmSync(answersFileOf(project.migrationsDir));
    const unanswered = new MemoryReporter();
    const withoutAnswers = await generate(project.context(), options, unanswered);
    expect(unanswered.lines[0]).toMatch(/^Shadow database: an in-memory embedded PostgreSQL \(PGlite\), saved with 1 of 1 migrations applied$/);
    expect(withoutAnswers.changed && withoutAnswers.content).toBe(withAnswers.content);
    expect(withoutAnswers.changed && withoutAnswers.files).toEqual(withAnswers.files);

    // What that generate asked of the started shadow is recorded again: the same generate again does not start it.
    expect(existsSync(answersFileOf(project.migrationsDir))).toBe(true);
    const again = new MemoryReporter();
    const fromAnswers = await generate(project.context(), options, again);
    expect(again.lines[0]).toMatch(/, saved with 1 of 1 migrations applied; not started, its \d+ recorded answers sufficed$/);
    expect(fromAnswers.changed && fromAnswers.content).toBe(withAnswers.content);
  });
});

describe('generate with a data source that does not load', () => {
  it('says so, and leaves no shadow database behind on the server (it was started meanwhile)', async () => {
    const project = writeTestProject();
    try {
      writeFileSync(project.context().dataSourceFile, `throw new Error('no configuration for this environment');\n`);
      const shadowDatabases = async () => {
        const server = await createTestDatabase('postgres');
        try {
          const { Client } = await import('pg');
          const client = new Client({ connectionString: server.url });
          await client.connect();
          const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE 'nx_typeorm_migrations_shadow_%'`);
          await client.end();
          return rows[0].n as number;
        } finally {
          await server.drop();
        }
      };
      const before = await shadowDatabases();
      await expect(
        generate(project.context(), { message: 'Next', shadowDatabaseUrl: serverAdminUrl() }, new MemoryReporter()),
      ).rejects.toThrow(/no configuration for this environment/);
      expect(await shadowDatabases()).toBe(before);
    } finally {
      project.remove();
    }
  });
});

describe.each(DATABASE_KINDS)('generate --against=database on %s', (kind) => {
  let database: TestDatabase;
  let project: TestProject;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });
  beforeEach(() => {
    project = writeTestProject();
  });
  afterEach(() => project.remove());

  it('diffs the entities against the live database and says which database it used', async () => {
    const env = { DATABASE_URL: database.url };
    const reporter = new MemoryReporter();
    const result = await generate(project.context(env), { message: 'Create users', against: 'database' }, reporter);
    expect(result.changed && result.operations).toEqual(['+ table users']);
    expect(reporter.lines[0]).toMatch(/^Database: /);
    if (!result.changed) return;
    writeFileSync(result.path, result.content);
    const applied = await migrate(project.context(env), { to: 'head' }, new MemoryReporter());
    expect(applied.success).toBe(true);
    expect(await generate(project.context(env), { message: 'Nothing', against: 'database' }, new MemoryReporter())).toEqual({
      changed: false,
      operations: [],
    });
    expect(readFileSync(result.path, 'utf8')).toContain('Revises: <base>');
  });

  it('refuses when the database is not at the head the migration builds on, naming what is pending', async () => {
    const own = await createTestDatabase(kind);
    try {
      await refusesUnlessAtHead({ DATABASE_URL: own.url });
    } finally {
      await own.drop();
    }
  });

  async function refusesUnlessAtHead(env: Record<string, string>): Promise<void> {
    const first = await generate(project.context(env), { message: 'Create users', against: 'database', revId: 'users_1' }, new MemoryReporter());
    if (!first.changed) throw new Error('expected a migration');
    writeFileSync(first.path, first.content);
    await expect(generate(project.context(env), { message: 'Again', against: 'database' }, new MemoryReporter())).rejects.toThrow(
      /^Target database is not up to date: 1 migration\(s\) pending \(users_1 \(Create users\)\); run nx run [\w-]+:migrate --to=users_1 first, then generate again\.$/,
    );
    expect(await migrate(project.context(env), { to: 'head' }, new MemoryReporter())).toMatchObject({ success: true });
    project.writeMigration({ revision: 'later_2', downRevisions: ['users_1'], message: 'Later', up: [], down: [] });
    // The database is at users_1; a migration based on later_2 would repeat later_2's changes.
    await expect(generate(project.context(env), { message: 'Again', against: 'database' }, new MemoryReporter())).rejects.toThrow(
      /^Target database is not up to date: 1 migration\(s\) pending \(later_2 \(Later\)\)/,
    );
  }
});
