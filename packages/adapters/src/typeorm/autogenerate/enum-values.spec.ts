import { addEnumValueStatements, appendedValues, restoreEnumStatements } from './enum-values';

describe('appendedValues', () => {
  it('is the values added at the end', () => {
    expect(appendedValues(['a', 'b'], ['a', 'b', 'c', 'd'])).toEqual(['c', 'd']);
  });

  it.each([
    ['a value inserted before the end', ['a', 'b'], ['a', 'x', 'b']],
    ['a value removed', ['a', 'b'], ['a']],
    ['values reordered', ['a', 'b'], ['b', 'a', 'c']],
    ['nothing changed', ['a', 'b'], ['a', 'b']],
    ['a value added twice', ['a'], ['a', 'b', 'b']],
  ])('is undefined for %s', (_, before, after) => {
    expect(appendedValues(before, after)).toBeUndefined();
  });
});

describe('enum statements', () => {
  const type = { schema: 'public', name: 'account_role_enum' };

  it('adds each value with IF NOT EXISTS, quoting it', () => {
    expect(addEnumValueStatements(type, ['guest', "o'brien"]).map((statement) => statement.sql)).toEqual([
      `ALTER TYPE "public"."account_role_enum" ADD VALUE IF NOT EXISTS 'guest'`,
      `ALTER TYPE "public"."account_role_enum" ADD VALUE IF NOT EXISTS 'o''brien'`,
    ]);
  });

  it('undoes them by rebuilding the type and casting every column back, defaults around the cast', () => {
    const columns = [
      { table: '"public"."account"', column: 'role', isArray: false, default: `'viewer'::account_role_enum` },
      { table: '"public"."team"', column: 'roles', isArray: true },
    ];
    expect(restoreEnumStatements(type, ['admin', 'viewer'], columns).map((statement) => statement.sql)).toEqual([
      `ALTER TYPE "public"."account_role_enum" RENAME TO "account_role_enum_old"`,
      `CREATE TYPE "public"."account_role_enum" AS ENUM('admin', 'viewer')`,
      `ALTER TABLE "public"."account" ALTER COLUMN "role" DROP DEFAULT`,
      `ALTER TABLE "public"."account" ALTER COLUMN "role" TYPE "public"."account_role_enum" USING "role"::text::"public"."account_role_enum"`,
      `ALTER TABLE "public"."account" ALTER COLUMN "role" SET DEFAULT 'viewer'::account_role_enum`,
      `ALTER TABLE "public"."team" ALTER COLUMN "roles" TYPE "public"."account_role_enum"[] USING "roles"::text[]::"public"."account_role_enum"[]`,
      `DROP TYPE "public"."account_role_enum_old"`,
    ]);
  });
});
