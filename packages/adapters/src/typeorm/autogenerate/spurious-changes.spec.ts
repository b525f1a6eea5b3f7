import { columnChangedBy, columnKey, dropDuplicateEnumTypes } from './spurious-changes';

describe('dropDuplicateEnumTypes (a named enum shared by two new tables)', () => {
  it('keeps the first CREATE TYPE and drops the repeat', () => {
    const up = [
      { sql: `CREATE TYPE "public"."currency_code" AS ENUM('EUR', 'USD')` },
      { sql: 'CREATE TABLE "price" ("currency" "public"."currency_code" NOT NULL)' },
      { sql: `CREATE TYPE "public"."currency_code" AS ENUM('EUR', 'USD')` },
      { sql: 'CREATE TABLE "invoice" ("currency" "public"."currency_code" NOT NULL)' },
    ];
    const keep = up.map(() => true);
    dropDuplicateEnumTypes(up, keep);
    expect(keep).toEqual([true, true, false, true]);
  });
});

describe('columnChangedBy', () => {
  it.each([
    ['ALTER TABLE "measurement" ALTER COLUMN "ratio" SET DEFAULT \'1.5\'', { table: '"measurement"', column: 'ratio' }],
    ['ALTER TABLE "public"."m" DROP COLUMN "ratio"', { table: '"public"."m"', column: 'ratio' }],
    ['ALTER TABLE "m" ADD "ratio" numeric NOT NULL', { table: '"m"', column: 'ratio' }],
  ])('%s', (sql, target) => {
    expect(columnChangedBy(sql)).toEqual(target);
  });

  it('is not fooled by a constraint', () => {
    expect(columnChangedBy('ALTER TABLE "m" ADD CONSTRAINT "UQ_1" UNIQUE ("ratio")')).toBeUndefined();
  });
});

describe('columnKey (a column of readExistingColumns, from a table as TypeORM writes it)', () => {
  it('puts an unqualified table in the current schema', () => {
    expect(columnKey('"measurement"', 'ratio', 'app')).toBe('app\0measurement\0ratio');
  });

  it('keeps the schema a table names', () => {
    expect(columnKey('"audit"."m"', 'ratio', 'public')).toBe('audit\0m\0ratio');
  });

  it('reads doubled quotes as one', () => {
    expect(columnKey('"we""ird"', 'c', 'public')).toBe('public\0we"ird\0c');
  });
});
