import { shadowExtensions, type DecoratorArgs } from './shadow-extensions';

class Entity1 {}
class Entity2 {}

const NONE: DecoratorArgs = { columns: [{ options: { type: 'varchar' } }, { options: {} }, {}], generations: [{ strategy: 'increment' }], exclusions: [] };

function decorators(extra: Partial<DecoratorArgs>): DecoratorArgs {
  return { ...NONE, ...extra, columns: [...NONE.columns, ...(extra.columns ?? [])], generations: [...NONE.generations, ...(extra.generations ?? [])] };
}

const MIGRATION = (sql: string) => `import type { QueryRunner } from 'typeorm';

export const revision = 'a1';
export async function up(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(\`${sql}\`);
}
`;

describe('shadowExtensions', () => {
  const options = { entities: [Entity1, Entity2] };

  it('needs none for entities and migrations that use none', () => {
    expect(shadowExtensions({ options, decorators: NONE, migrationTexts: [MIGRATION('CREATE TABLE "a" ("id" SERIAL NOT NULL)')] })).toEqual([]);
  });

  it('needs what TypeORM creates on connecting: uuid generation, citext, hstore, cube, ltree columns, exclusions', () => {
    expect(shadowExtensions({ options, decorators: decorators({ generations: [{ strategy: 'uuid' }] }), migrationTexts: [] })).toEqual(['uuid_ossp']);
    expect(
      shadowExtensions({ options: { ...options, uuidExtension: 'pgcrypto' }, decorators: decorators({ generations: [{ strategy: 'uuid' }] }), migrationTexts: [] }),
    ).toEqual(['pgcrypto']);
    const columns = ['citext', 'hstore', 'cube', 'ltree'].map((type) => ({ options: { type } }));
    expect(shadowExtensions({ options, decorators: decorators({ columns, exclusions: [{}] }), migrationTexts: [] })).toEqual([
      'btree_gist',
      'citext',
      'cube',
      'hstore',
      'ltree',
    ]);
  });

  it('needs what the migrations use, whatever the entities are now', () => {
    const texts = [
      MIGRATION('CREATE TABLE "d" ("id" uuid NOT NULL DEFAULT uuid_generate_v4(), "serial" citext NOT NULL)'),
      MIGRATION('CREATE EXTENSION IF NOT EXISTS "pgcrypto"'),
      MIGRATION('ALTER TABLE "r" ADD CONSTRAINT "x" EXCLUDE USING gist ("room" WITH =, "during" WITH &&)'),
      MIGRATION('CREATE TABLE "t" ("path" ltree, "attributes" hstore, "point" cube)'),
    ];
    expect(shadowExtensions({ options, decorators: NONE, migrationTexts: texts })).toEqual(['btree_gist', 'citext', 'cube', 'hstore', 'ltree', 'pgcrypto', 'uuid_ossp']);
    expect(shadowExtensions({ options, decorators: NONE, migrationTexts: [texts[0]] })).toEqual(['citext', 'uuid_ossp']);
  });

  it('loads them all when it cannot tell: globs or schemas for entities, an extensions option, no registry, migrations importing SQL', () => {
    expect(shadowExtensions({ options: { entities: ['dist/**/*.entity.js'] }, decorators: NONE, migrationTexts: [] })).toBeUndefined();
    expect(shadowExtensions({ options: { entities: [Entity1, { options: { name: 'schema' } }] }, decorators: NONE, migrationTexts: [] })).toBeUndefined();
    expect(shadowExtensions({ options: { ...options, extensions: ['postgis'] }, decorators: NONE, migrationTexts: [] })).toBeUndefined();
    expect(shadowExtensions({ options, decorators: undefined, migrationTexts: [] })).toBeUndefined();
    const importing = `import type { QueryRunner } from 'typeorm';\nimport { CREATE_ACCOUNTS } from '../sql/accounts';\n${MIGRATION('SELECT 1')}`;
    expect(shadowExtensions({ options, decorators: NONE, migrationTexts: [importing] })).toBeUndefined();
    expect(shadowExtensions({ options, decorators: NONE, migrationTexts: [`const sql = require('./sql');\n${MIGRATION('SELECT 1')}`] })).toBeUndefined();
    // Entities given as an object of classes are classes all the same.
    expect(shadowExtensions({ options: { entities: { Entity1, Entity2 } }, decorators: NONE, migrationTexts: [] })).toEqual([]);
  });
});
