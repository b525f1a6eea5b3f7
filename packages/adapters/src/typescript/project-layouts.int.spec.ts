import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { check } from '../../../commands/src/check';
import { generate } from '../../../commands/src/generate';
import { migrate } from '../../../commands/src/migrate';
import { MemoryReporter } from '../../../commands/src/reporter';
import { createTestDatabase, DATABASE_KINDS, serverAdminUrl, type TestDatabase } from '../../../testing/src/databases';
import { REPOSITORY_ROOT, writeTestProject, type TestProject } from '../../../testing/src/projects';

jest.setTimeout(240_000);

/**
 * One small project per way a TypeScript project is commonly laid out; each generates its first migration from its
 * entities, migrates a real database to head, and then finds nothing left to generate: the data source, the entities
 * and the migration were all loaded as that project is configured. Paths of `files` are relative to the project
 * (`apps/backend`); `../../` is the workspace root.
 */
interface Layout {
  readonly name: string;
  readonly files: Readonly<Record<string, string>>;
  /** The data source, relative to the project; default `src/data-source.ts`. */
  readonly dataSource?: string;
  /** Work on the project before the first command (links into node_modules...). */
  readonly prepare?: (project: TestProject) => void;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

const DECORATORS = { experimentalDecorators: true, emitDecoratorMetadata: true, strict: true, skipLibCheck: true };

/** An author and their posts: entities in two files, the second importing the first. */
function entities(userImport: string): { user: string; post: string } {
  return {
    user: `import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar' })
  email!: string;
}
`,
    post: `import { Column, Entity, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '${userImport}';

@Entity('posts')
export class Post {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar' })
  title!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  author!: Relation<User>;
}
`,
  };
}

const esmEntities = entities('./user.entity.js');

const LAYOUTS: readonly Layout[] = [
  {
    // Nx 23's default for new libraries: "type": "module", NodeNext imports, a data source using import.meta.url
    // (entities found by TypeORM's glob) and top-level await.
    name: 'an ES module package ("type": "module") with .js imports, import.meta.url and top-level await',
    files: {
      'package.json': json({ name: '@org/backend', type: 'module' }),
      'tsconfig.json': json({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', ...DECORATORS } }),
      'src/entities/user.entity.ts': esmEntities.user,
      'src/entities/post.entity.ts': esmEntities.post,
      'src/settings.ts': `export async function loadSettings(): Promise<{ schema: string }> {\n  return { schema: 'public' };\n}\n`,
      'src/data-source.ts': `import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { loadSettings } from './settings.js';

const settings = await loadSettings();

export default new DataSource({
  type: 'postgres',
  schema: settings.schema,
  entities: [fileURLToPath(new URL('./entities/*.entity.{ts,js}', import.meta.url))],
});
`,
    },
  },
  {
    name: 'a CommonJS project whose imports are written with .js (NodeNext style)',
    files: {
      'package.json': json({ name: '@org/backend' }),
      'tsconfig.json': json({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', ...DECORATORS } }),
      'src/entities/user.entity.ts': esmEntities.user,
      'src/entities/post.entity.ts': esmEntities.post,
      'src/entities/index.ts': `export * from './user.entity.js';\nexport * from './post.entity.js';\n`,
      'src/data-source.ts': `import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { Post, User } from './entities/index.js';

export default new DataSource({ type: 'postgres', entities: [User, Post] });
`,
    },
  },
  {
    // The usual Nx monorepo: tsconfig.base.json at the root holds the aliases, each project's tsconfig extends it,
    // and one library's entities import another's through its alias.
    name: 'entities in two libraries behind tsconfig paths aliases, inherited through extends',
    files: {
      '../../tsconfig.base.json': json({
        compilerOptions: {
          ...DECORATORS,
          baseUrl: '.',
          paths: { '@org/accounts': ['libs/accounts/src/index.ts'], '@org/blog': ['libs/blog/src/index.ts'] },
        },
      }),
      '../../libs/accounts/tsconfig.json': json({ extends: '../../tsconfig.base.json' }),
      '../../libs/accounts/src/index.ts': `export * from './lib/user.entity';\n`,
      '../../libs/accounts/src/lib/user.entity.ts': esmEntities.user,
      '../../libs/blog/tsconfig.json': json({ extends: '../../tsconfig.base.json', compilerOptions: {} }),
      '../../libs/blog/src/index.ts': `export * from './lib/post.entity';\n`,
      '../../libs/blog/src/lib/post.entity.ts': entities('@org/accounts').post,
      'tsconfig.json': `{\n  // as Nx writes it\n  "extends": "../../tsconfig.base.json",\n  "compilerOptions": {},\n}\n`,
      'src/data-source.ts': `import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { User } from '@org/accounts';
import { Post } from '@org/blog';

export default new DataSource({ type: 'postgres', entities: [User, Post] });
`,
    },
  },
  {
    name: 'a .mts data source importing .mts entities and a .cts module',
    dataSource: 'src/data-source.mts',
    files: {
      'package.json': json({ name: '@org/backend' }),
      'src/entities/user.entity.mts': esmEntities.user,
      'src/entities/post.entity.mts': entities('./user.entity.mjs').post,
      'src/naming.cts': `export const entityFiles: string[] = ['user', 'post'];\n`,
      'src/data-source.mts': `import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { entityFiles } from './naming.cjs';

const loaded = await Promise.all(entityFiles.map((name) => import(\`./entities/\${name}.entity.mjs\`)));

export default new DataSource({ type: 'postgres', entities: loaded.flatMap((module) => Object.values(module) as Function[]) });
`,
    },
  },
  {
    // Nx's ts preset with npm workspaces: libraries are packages linked into node_modules whose "development"
    // export points at their sources (nothing built), picked by tsconfig customConditions.
    name: 'a workspace library resolved through its package exports and tsconfig customConditions',
    files: {
      '../../tsconfig.base.json': json({
        compilerOptions: { ...DECORATORS, module: 'nodenext', moduleResolution: 'nodenext', customConditions: ['development'] },
      }),
      '../../libs/domain/package.json': json({
        name: '@org/domain',
        type: 'module',
        exports: {
          '.': { development: './src/index.ts', types: './dist/index.d.ts', import: './dist/index.js', default: './dist/index.js' },
          './package.json': './package.json',
        },
      }),
      '../../libs/domain/tsconfig.json': json({ extends: '../../tsconfig.base.json' }),
      '../../libs/domain/src/index.ts': `export * from './lib/user.entity.js';\nexport * from './lib/post.entity.js';\n`,
      '../../libs/domain/src/lib/user.entity.ts': esmEntities.user,
      '../../libs/domain/src/lib/post.entity.ts': esmEntities.post,
      'package.json': json({ name: '@org/backend', type: 'module', dependencies: { '@org/domain': '*' } }),
      'tsconfig.json': json({ extends: '../../tsconfig.base.json' }),
      'src/data-source.ts': `import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { Post, User } from '@org/domain';

export default new DataSource({ type: 'postgres', entities: [User, Post] });
`,
    },
    prepare(project) {
      // npm links a workspace's packages into node_modules; the project's own node_modules stands for the root's.
      mkdirSync(join(project.projectRoot, 'node_modules', '@org'), { recursive: true });
      symlinkSync(join(project.workspaceRoot, 'libs', 'domain'), join(project.projectRoot, 'node_modules', '@org', 'domain'), 'dir');
    },
  },
];

function writeLayout(layout: Layout): TestProject {
  const { 'src/data-source.ts': dataSource, ...files } = layout.files;
  const project = writeTestProject({ dataSource: dataSource ?? '', files });
  layout.prepare?.(project);
  return project;
}

function contextOf(project: TestProject, layout: Layout, env: Record<string, string | undefined>) {
  const context = project.context(env);
  return layout.dataSource ? { ...context, dataSourceFile: join(project.projectRoot, layout.dataSource) } : context;
}

async function tablesOf(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    return rows.map((row: { table_name: string }) => row.table_name);
  } finally {
    await client.end();
  }
}

describe.each(DATABASE_KINDS)('project layouts on %s', (kind) => {
  let database: TestDatabase;
  const shadowDatabaseUrl = kind === 'postgres' ? serverAdminUrl() : undefined;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
  });
  afterEach(async () => {
    await database?.drop();
  });

  it.each(LAYOUTS.map((layout) => [layout.name, layout] as const))('%s: generates, migrates, then finds no changes', async (_, layout) => {
    const project = writeLayout(layout);
    try {
      const context = contextOf(project, layout, { DATABASE_URL: database.url });
      const created = await generate(context, { message: 'Create users and posts', shadowDatabaseUrl }, new MemoryReporter());
      if (!created.changed) throw new Error('expected a migration');
      expect(created.operations).toEqual(expect.arrayContaining(['+ table users', '+ table posts', expect.stringMatching(/^\+ foreign key FK_\w+ on posts$/)]));
      writeFileSync(created.path, created.content);

      const applied = await migrate(context, { to: 'head' }, new MemoryReporter());
      expect(applied).toMatchObject({ success: true, headsAfter: [created.revision] });
      expect(await tablesOf(database.url)).toEqual(expect.arrayContaining(['nx_migrations_version', 'posts', 'users']));

      const again = await generate(context, { message: 'Nothing', shadowDatabaseUrl }, new MemoryReporter());
      expect(again).toEqual({ changed: false, operations: [] });
      // migrate-check loads the same files whatever the database: once, on the server's shadow, the quicker one.
      if (kind === 'postgres') {
        const checked = await check({ ...context, env: {} }, { shadowDatabaseUrl }, new MemoryReporter());
        expect(checked.checks.filter((line) => !line.passed)).toEqual([]);
      }
    } finally {
      project.remove();
    }
  });
});

describe('loading errors', () => {
  it('names the import that leads nowhere and the file that has it', async () => {
    const project = writeLayout(LAYOUTS[0]);
    try {
      writeFileSync(join(project.projectRoot, 'src/entities/post.entity.ts'), entities('./author.entity.js').post);
      await expect(generate(project.context(), { message: 'Broken' }, new MemoryReporter())).rejects.toThrow(
        '`./author.entity.js` imported by apps/backend/src/entities/post.entity.ts was not found (looked for ./author.entity.ts, ./author.entity.tsx, ./author.entity.js); ' +
          'correct the import (a path alias needs its tsconfig `paths`), or create the file.',
      );
    } finally {
      project.remove();
    }
  });
});

/**
 * pg 8 prints a deprecation among our lines when TypeORM 0.3 sends queries to one client concurrently (it reads a
 * schema with Promise.all). Node prints a deprecation once per process, so this runs autogenerate and the check in a
 * process of their own and reads its stderr.
 */
describe('third-party noise', () => {
  it('autogenerate and migrate-check print no pg deprecation', () => {
    const project = writeLayout(LAYOUTS[1]);
    try {
      const script = `
        const { generate } = require('./packages/commands/src/generate.ts');
        const { check } = require('./packages/commands/src/check.ts');
        const { writeFileSync } = require('node:fs');
        const reporter = { info: (line) => process.stdout.write(line + '\\n'), warn: (line) => process.stderr.write(line + '\\n'), step() {} };
        (async () => {
          const context = ${JSON.stringify(project.context())};
          const created = await generate(context, { message: 'Create tables' }, reporter);
          writeFileSync(created.path, created.content);
          const checked = await check(context, {}, reporter);
          process.exitCode = checked.success ? 0 : 1;
        })().catch((error) => { console.error(error); process.exitCode = 2; });
      `;
      const result = spawnSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
        cwd: REPOSITORY_ROOT,
        env: { ...process.env, DATABASE_URL: '' },
        encoding: 'utf8',
      });
      expect(result.stdout).toContain('✔ entities match migrations');
      expect(result.status).toBe(0);
      expect(result.stderr).not.toMatch(/already executing a query|DeprecationWarning/);
    } finally {
      project.remove();
    }
  });
});
