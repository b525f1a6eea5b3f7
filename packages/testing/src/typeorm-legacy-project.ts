import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A project as a team that used TypeORM's CLI has it: entities, a data source whose `migrations` setting is a glob,
 * and 20 class migrations (`<timestamp>-<Name>.ts`) using raw SQL, the Table API, a shared helper module, a default
 * export, a `name` that differs from the class name, and one migration that opts out of transactions. The entities
 * match the schema the 20 migrations produce.
 *
 * `typeorm: '0.3'` links the project's `node_modules/typeorm` to the copy installed by `tools/typeorm-0.3/install.sh`,
 * so every file of the project, and the plugin loading them, uses TypeORM 0.3.
 */
export type TypeormLine = '1.x' | '0.3';

/**
 * The TypeORM line the tests of this process give their projects: `NTM_TYPEORM_LINE=0.3` for 0.3, else the
 * workspace's 1.x. One line per process: TypeORM keeps its decorator registry in a global, so two copies cannot
 * share a process (`.ci/run` runs the integration suite once per line).
 */
export function typeormLineUnderTest(): TypeormLine {
  const line = process.env['NTM_TYPEORM_LINE'] ?? '1.x';
  if (line !== '1.x' && line !== '0.3') throw new Error(`NTM_TYPEORM_LINE=${line}: use 1.x or 0.3.`);
  return line;
}

/** Makes `typeorm` resolve to the 0.3 copy from files under `projectRoot`; the 1.x line needs nothing. */
export function linkTypeormLine(projectRoot: string, line: TypeormLine): void {
  if (line === '1.x') return;
  const copy = join(REPOSITORY_ROOT, 'tools', 'typeorm-0.3', 'node_modules', 'typeorm');
  if (!existsSync(copy)) {
    throw new Error('TypeORM 0.3 is not installed for the tests; run bash tools/typeorm-0.3/install.sh.');
  }
  mkdirSync(join(projectRoot, 'node_modules'), { recursive: true });
  symlinkSync(copy, join(projectRoot, 'node_modules', 'typeorm'));
}

/**
 * Gives a throw-away project at `root` (outside the repository) the repository's packages, with `typeorm` resolving
 * to `line`: for 1.x `root/node_modules` links the repository's `node_modules`; for 0.3 it is a folder linking each
 * of the repository's packages but `typeorm`, which links the 0.3 copy (whose own dependencies resolve from where it
 * is installed, and `pg` from the repository, as a user's hoisted install would).
 */
export function linkNodeModules(root: string, line: TypeormLine = typeormLineUnderTest()): void {
  const repositoryPackages = join(REPOSITORY_ROOT, 'node_modules');
  if (line === '1.x') {
    symlinkSync(repositoryPackages, join(root, 'node_modules'), 'dir');
    return;
  }
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  for (const entry of readdirSync(repositoryPackages)) {
    if (entry !== 'typeorm') symlinkSync(join(repositoryPackages, entry), join(root, 'node_modules', entry));
  }
  linkTypeormLine(root, line);
}

const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');

export interface TypeormLegacyProject {
  readonly root: string;
  readonly dataSourceFile: string;
  readonly migrationsDir: string;
  /** Where `import-typeorm` writes the revisions. */
  readonly versionsDir: string;
  /** TypeORM's names of the 20 migrations, in the order TypeORM runs them. */
  readonly migrationNames: readonly string[];
}

/** Creates the project in a new folder under the repository's `tmp/` (so `pg` and `reflect-metadata` resolve). */
export function writeTypeormLegacyProject(typeorm: TypeormLine): TypeormLegacyProject {
  const parent = join(REPOSITORY_ROOT, 'tmp');
  mkdirSync(parent, { recursive: true });
  const root = mkdtempSync(join(parent, 'typeorm-legacy-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  linkTypeormLine(root, typeorm);
  write('package.json', JSON.stringify({ name: 'legacy-app', private: true }, null, 2) + '\n');
  write(
    'tsconfig.json',
    JSON.stringify(
      {
        compilerOptions: {
          target: 'es2022',
          module: 'commonjs',
          strict: true,
          esModuleInterop: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          skipLibCheck: true,
        },
      },
      null,
      2,
    ) + '\n',
  );
  write('src/data-source.ts', DATA_SOURCE);
  write('src/entities.ts', ENTITIES);
  write('src/schema-helpers.ts', SCHEMA_HELPERS);
  for (const migration of MIGRATIONS) write(`src/migrations/${migration.file}`, migration.text);
  return {
    root,
    dataSourceFile: join(root, 'src', 'data-source.ts'),
    migrationsDir: join(root, 'src', 'migrations'),
    versionsDir: join(root, 'migrations', 'versions'),
    migrationNames: MIGRATIONS.map((migration) => migration.name),
  };
}

const DATA_SOURCE = `import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Comment, Post, PostTag, Setting, Tag, User } from './entities';

export default new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL,
  entities: [User, Post, Tag, PostTag, Comment, Setting],
  migrations: [join(__dirname, 'migrations', '*.ts')],
});
`;

const ENTITIES = `import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';

@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', unique: true })
  email!: string;

  @Column({ type: 'varchar', nullable: true })
  displayName!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'enum', enum: ['admin', 'member'], default: 'member' })
  role!: 'admin' | 'member';

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt!: Date | null;
}

@Entity('posts')
export class Post {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index()
  @Column({ type: 'varchar' })
  title!: string;

  @Column({ type: 'text' })
  content!: string;

  @Column({ type: 'int' })
  authorId!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  author!: User;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'boolean', default: false })
  published!: boolean;
}

@Entity('tags')
export class Tag {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', unique: true })
  name!: string;
}

@Entity('post_tags')
export class PostTag {
  @PrimaryColumn({ type: 'int' })
  postId!: number;

  @PrimaryColumn({ type: 'int' })
  tagId!: number;

  @ManyToOne(() => Post, { onDelete: 'CASCADE' })
  post!: Post;

  @ManyToOne(() => Tag, { onDelete: 'CASCADE' })
  tag!: Tag;
}

@Entity('comments')
export class Comment {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'text' })
  body!: string;

  @Index('IDX_comments_post_id')
  @Column({ type: 'int' })
  postId!: number;

  @ManyToOne(() => Post, { onDelete: 'CASCADE' })
  post!: Post;

  @Column({ type: 'int', nullable: true })
  authorId!: number | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  author!: User | null;
}

@Entity('settings')
export class Setting {
  @PrimaryColumn({ type: 'varchar' })
  key!: string;

  @Column({ type: 'text' })
  value!: string;
}
`;

const SCHEMA_HELPERS = `import type { TableColumnOptions } from 'typeorm';

/** The serial primary key every table of this application starts with. */
export function idColumn(): TableColumnOptions {
  return { name: 'id', type: 'int', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
}

export function createdAtColumn(): TableColumnOptions {
  return { name: 'createdAt', type: 'timestamptz', default: 'now()' };
}
`;

interface LegacyMigration {
  readonly name: string;
  readonly file: string;
  readonly text: string;
}

function classMigration(
  timestamp: number,
  stem: string,
  up: string,
  down: string,
  options: { imports?: string; exportDefault?: boolean; className?: string; extra?: string } = {},
): LegacyMigration {
  const name = `${stem}${timestamp}`;
  const text = `import { MigrationInterface, QueryRunner${options.imports ? `, ${options.imports}` : ''} } from 'typeorm';
import { createdAtColumn, idColumn } from '../schema-helpers';

export ${options.exportDefault ? 'default ' : ''}class ${options.className ?? name} implements MigrationInterface {
  name = '${name}';
${options.extra ?? ''}
  public async up(queryRunner: QueryRunner): Promise<void> {
${up}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${down}
  }
}

// Keeps both helpers referenced in every file, as a shared import block would.
void createdAtColumn;
void idColumn;
`;
  return { name, file: `${timestamp}-${stem}.ts`, text };
}

const T = 1700000000000;

const MIGRATIONS: readonly LegacyMigration[] = [
  classMigration(
    T + 1000,
    'CreateUsers',
    `    await queryRunner.createTable(new Table({ name: 'users', columns: [idColumn(), { name: 'email', type: 'varchar' }] }));`,
    `    await queryRunner.dropTable('users');`,
    { imports: 'Table' },
  ),
  classMigration(
    T + 2000,
    'AddUserDisplayName',
    `    await queryRunner.addColumn('users', new TableColumn({ name: 'displayName', type: 'varchar', isNullable: true }));`,
    `    await queryRunner.dropColumn('users', 'displayName');`,
    { imports: 'TableColumn' },
  ),
  classMigration(
    T + 3000,
    'AddUserCreatedAt',
    `    await queryRunner.addColumn('users', new TableColumn(createdAtColumn()));`,
    `    await queryRunner.dropColumn('users', 'createdAt');`,
    { imports: 'TableColumn' },
  ),
  classMigration(
    T + 4000,
    'UniqueUserEmail',
    `    await queryRunner.createUniqueConstraint('users', new TableUnique({ columnNames: ['email'] }));`,
    `    const users = await queryRunner.getTable('users');
    const unique = users!.uniques.find((candidate) => candidate.columnNames.join() === 'email');
    await queryRunner.dropUniqueConstraint('users', unique!);`,
    { imports: 'TableUnique' },
  ),
  classMigration(
    T + 5000,
    'CreatePosts',
    `    await queryRunner.createTable(
      new Table({
        name: 'posts',
        columns: [
          idColumn(),
          { name: 'title', type: 'varchar' },
          { name: 'body', type: 'text' },
          { name: 'authorId', type: 'int' },
          createdAtColumn(),
        ],
      }),
    );`,
    `    await queryRunner.dropTable('posts');`,
    { imports: 'Table' },
  ),
  classMigration(
    T + 6000,
    'PostsAuthorForeignKey',
    `    await queryRunner.createForeignKey(
      'posts',
      new TableForeignKey({ columnNames: ['authorId'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
    );`,
    `    const posts = await queryRunner.getTable('posts');
    await queryRunner.dropForeignKey('posts', posts!.foreignKeys[0]);`,
    { imports: 'TableForeignKey' },
  ),
  classMigration(
    T + 7000,
    'IndexPostTitle',
    `    await queryRunner.createIndex('posts', new TableIndex({ columnNames: ['title'] }));`,
    `    const posts = await queryRunner.getTable('posts');
    await queryRunner.dropIndex('posts', posts!.indices[0]);`,
    { imports: 'TableIndex' },
  ),
  classMigration(
    T + 8000,
    'SeedAdminUser',
    `    await queryRunner.query(\`INSERT INTO "users" ("email", "displayName") VALUES ($1, $2)\`, ['admin@example.com', 'Admin']);`,
    `    await queryRunner.query(\`DELETE FROM "users" WHERE "email" = $1\`, ['admin@example.com']);`,
  ),
  classMigration(
    T + 9000,
    'CreateTags',
    `    await queryRunner.createTable(
      new Table({ name: 'tags', columns: [idColumn(), { name: 'name', type: 'varchar' }], uniques: [{ columnNames: ['name'] }] }),
    );`,
    `    await queryRunner.dropTable('tags');`,
    { imports: 'Table' },
  ),
  classMigration(
    T + 10000,
    'CreatePostTags',
    `    await queryRunner.createTable(
      new Table({
        name: 'post_tags',
        columns: [
          { name: 'postId', type: 'int', isPrimary: true },
          { name: 'tagId', type: 'int', isPrimary: true },
        ],
        foreignKeys: [
          { columnNames: ['postId'], referencedTableName: 'posts', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
          { columnNames: ['tagId'], referencedTableName: 'tags', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );`,
    `    await queryRunner.dropTable('post_tags');`,
    { imports: 'Table' },
  ),
  classMigration(
    T + 11000,
    'AddPostPublished',
    `    await queryRunner.query(\`ALTER TABLE "posts" ADD "published" boolean NOT NULL DEFAULT false\`);`,
    `    await queryRunner.query(\`ALTER TABLE "posts" DROP COLUMN "published"\`);`,
  ),
  classMigration(
    T + 12000,
    'CreateComments',
    `    await queryRunner.createTable(
      new Table({
        name: 'comments',
        columns: [idColumn(), { name: 'body', type: 'text' }, { name: 'postId', type: 'int' }],
        foreignKeys: [{ columnNames: ['postId'], referencedTableName: 'posts', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
      }),
    );`,
    `    await queryRunner.dropTable('comments');`,
    { imports: 'Table' },
  ),
  classMigration(
    T + 13000,
    'AddCommentAuthor',
    `    await queryRunner.addColumn('comments', new TableColumn({ name: 'authorId', type: 'int', isNullable: true }));
    await queryRunner.createForeignKey(
      'comments',
      new TableForeignKey({ columnNames: ['authorId'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'SET NULL' }),
    );`,
    `    const comments = await queryRunner.getTable('comments');
    await queryRunner.dropForeignKey('comments', comments!.foreignKeys.find((key) => key.columnNames[0] === 'authorId')!);
    await queryRunner.dropColumn('comments', 'authorId');`,
    { imports: 'TableColumn, TableForeignKey' },
  ),
  classMigration(
    T + 14000,
    'BackfillPostPublished',
    `    await queryRunner.query(\`UPDATE "posts" SET "published" = true WHERE "createdAt" < now()\`);`,
    `    // Publishing is not undone: the flag was derived from data that still exists.`,
  ),
  classMigration(
    T + 15000,
    'CreateSettings',
    `    await queryRunner.query(\`CREATE TABLE "settings" ("key" character varying NOT NULL, "value" text NOT NULL, CONSTRAINT "PK_c8639b7626fa94ba8265628f214" PRIMARY KEY ("key"))\`);`,
    `    await queryRunner.query(\`DROP TABLE "settings"\`);`,
  ),
  classMigration(
    T + 16000,
    'SeedSettings',
    `    await queryRunner.query(\`INSERT INTO "settings" ("key", "value") VALUES ('site.name', 'Legacy'), ('site.locale', 'en')\`);`,
    `    await queryRunner.query(\`DELETE FROM "settings" WHERE "key" IN ('site.name', 'site.locale')\`);`,
  ),
  classMigration(
    T + 17000,
    'AddUserRole',
    `    await queryRunner.addColumn(
      'users',
      new TableColumn({ name: 'role', type: 'enum', enum: ['admin', 'member'], default: "'member'" }),
    );`,
    `    await queryRunner.dropColumn('users', 'role');`,
    { imports: 'TableColumn' },
  ),
  classMigration(
    T + 18000,
    'IndexCommentsPost',
    `    await queryRunner.query(\`CREATE INDEX IF NOT EXISTS "IDX_comments_post_id" ON "comments" ("postId")\`);`,
    `    await queryRunner.query(\`DROP INDEX IF EXISTS "IDX_comments_post_id"\`);`,
    {
      extra:
        '  // Built outside a transaction so that production can switch it to CREATE INDEX CONCURRENTLY.\n  transaction = false;\n',
    },
  ),
  classMigration(
    T + 19000,
    'AddUserLastLogin',
    `    await queryRunner.addColumn('users', new TableColumn({ name: 'lastLoginAt', type: 'timestamptz', isNullable: true }));`,
    `    await queryRunner.dropColumn('users', 'lastLoginAt');`,
    { imports: 'TableColumn' },
  ),
  classMigration(
    T + 20000,
    'RenamePostBodyToContent',
    `    await queryRunner.renameColumn('posts', 'body', 'content');`,
    `    await queryRunner.renameColumn('posts', 'content', 'body');`,
    { exportDefault: true, className: 'RenamePostBody' },
  ),
];
