import { describeStatement, summarizeStatements } from './operations';

describe('describeStatement', () => {
  it.each([
    ['CREATE TABLE "users" ("id" SERIAL NOT NULL)', '+ table users'],
    ['DROP TABLE "public"."users"', '- table public.users (destructive: its rows are lost)'],
    ['ALTER TABLE "users" ADD "email" character varying NOT NULL', '+ column users.email'],
    ['ALTER TABLE "users" DROP COLUMN "email"', '- column users.email (destructive: its values are lost)'],
    [`ALTER TYPE "public"."role_enum" ADD VALUE IF NOT EXISTS 'it''s'`, `~ enum public.role_enum + 'it''s'`],
    ['ALTER SEQUENCE "public"."user_id_seq" RENAME TO "person_id_seq"', '~ sequence public.user_id_seq -> person_id_seq'],
    ['ALTER TABLE "users" ALTER COLUMN "email" SET DEFAULT \'x\'', '~ column users.email'],
    ['ALTER TABLE "users" RENAME COLUMN "mail" TO "email"', '~ column users.mail -> email'],
    ['CREATE INDEX "IDX_1" ON "users"  ("name") WHERE "amount" > 0', '+ index IDX_1 on users'],
    ['CREATE UNIQUE INDEX "IDX_2" ON "users" ("email")', '+ unique index IDX_2 on users'],
    ['DROP INDEX "public"."IDX_1"', '- index public.IDX_1'],
    [
      'ALTER TABLE "pet" ADD CONSTRAINT "FK_9" FOREIGN KEY ("ownerId") REFERENCES "person"("id") ON DELETE CASCADE',
      '+ foreign key FK_9 on pet',
    ],
    ['ALTER TABLE "member" ADD CONSTRAINT "UQ_1" UNIQUE ("handle")', '+ unique constraint UQ_1 on member'],
    ['ALTER TABLE "product" ADD CONSTRAINT "CHK_1" CHECK ("quantity" >= 0)', '+ check CHK_1 on product'],
    ['ALTER TABLE "pet" DROP CONSTRAINT "FK_9"', '- constraint FK_9 on pet'],
    [`CREATE TYPE "public"."role_enum" AS ENUM('a', 'b')`, '+ enum public.role_enum'],
    ['DROP TYPE "public"."role_enum"', '- enum public.role_enum'],
    ['ALTER TYPE "public"."role_enum" RENAME TO "role_enum_old"', '~ enum public.role_enum -> role_enum_old'],
    ['CREATE VIEW "active" AS SELECT 1', '+ view active'],
    ['CREATE MATERIALIZED VIEW "totals" AS SELECT 1', '+ materialized view totals'],
    ['DROP VIEW "active"', '- view active'],
    [`COMMENT ON COLUMN "tool"."name" IS 'x'`, '~ comment on tool.name'],
    ['CREATE TABLE "typeorm_metadata" ("type" character varying NOT NULL)', '+ table typeorm_metadata'],
  ])('%s', (sql, line) => {
    expect(describeStatement(sql)).toBe(line);
  });

  it('has no line for the bookkeeping rows TypeORM writes into typeorm_metadata', () => {
    expect(describeStatement('INSERT INTO "typeorm_metadata"("type") VALUES ($1)')).toBeUndefined();
    expect(describeStatement('DELETE FROM "typeorm_metadata" WHERE "type" = $1')).toBeUndefined();
  });

  it('knows the metadata table by the name each data source gives it, one after the other', () => {
    expect(describeStatement('INSERT INTO "app_metadata"("type") VALUES ($1)', 'app_metadata')).toBeUndefined();
    expect(describeStatement('INSERT INTO "typeorm_metadata"("type") VALUES ($1)', 'app_metadata')).toBe('~ insert into "typeorm_metadata"("type")');
    expect(describeStatement('INSERT INTO "app_metadata"("type") VALUES ($1)')).toBe('~ insert into "app_metadata"("type")');
    expect(describeStatement('CREATE TABLE "app_metadata" ("type" varchar)', 'app_metadata')).toBe('+ table app_metadata');
  });

  it('names an unknown statement by its first words rather than dropping it', () => {
    expect(describeStatement('GRANT SELECT ON "users" TO reader')).toBe('~ grant select on');
  });
});

describe('summarizeStatements', () => {
  it('lists each change once, in the order of up', () => {
    expect(
      summarizeStatements([
        'ALTER TYPE "public"."role_enum" RENAME TO "role_enum_old"',
        `CREATE TYPE "public"."role_enum" AS ENUM('a', 'b', 'c')`,
        'ALTER TABLE "users" ALTER COLUMN "role" DROP DEFAULT',
        'ALTER TABLE "users" ALTER COLUMN "role" TYPE "public"."role_enum" USING "role"::"text"::"public"."role_enum"',
        'DROP TYPE "public"."role_enum_old"',
      ]),
    ).toEqual([
      '~ enum public.role_enum -> role_enum_old',
      '+ enum public.role_enum',
      '~ column users.role',
      '- enum public.role_enum_old',
    ]);
  });
});
