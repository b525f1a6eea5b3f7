import { renderMigrationFile } from '../../../core/src/migration-file';
import { lintMigration, readUpStatements } from './migration-lint';

function migration(up: readonly string[], down: readonly string[] = []): string {
  return renderMigrationFile({
    revision: 'a1b2c3d4e5f6',
    downRevisions: ['0123456789ab'],
    message: 'Risky change',
    createDate: new Date('2026-11-25T10:00:00.000Z'),
    up,
    down,
  });
}

describe('readUpStatements', () => {
  it('reads the SQL and line of every call of a rendered migration, and none of down', () => {
    const text = migration(['DROP TABLE "a"', 'CREATE INDEX ON "b" ("x")'], ['CREATE TABLE "a" ("id" int)']);
    const lines = text.split('\n');
    const statements = readUpStatements(text);
    expect(statements.map((statement) => statement.sql)).toEqual(['DROP TABLE "a"', 'CREATE INDEX ON "b" ("x")']);
    for (const statement of statements) expect(lines[statement.line - 1]).toContain(statement.sql);
  });

  it('reads an allow comment on the lines above a call, for that call only', () => {
    const text = [
      'export async function up(queryRunner: any): Promise<void> {',
      '  // migrate-check-allow PG005: the table has been unused since 2.3',
      '  // reviewed by the DBA',
      '  await queryRunner.query(`DROP TABLE "legacy"`);',
      '  await queryRunner.query("DROP TABLE \\"other\\"");',
      '}',
    ].join('\n');
    expect(readUpStatements(text)).toEqual([
      { sql: 'DROP TABLE "legacy"', line: 4, allowed: new Set(['PG005']) },
      { sql: 'DROP TABLE "other"', line: 5, allowed: new Set() },
    ]);
  });

  it('counts lines right after non-ASCII text', () => {
    const text = [
      '/** Ajoute la colonne « prénom » */',
      'export const up = async (queryRunner: any) => {',
      '  await queryRunner.query(`ALTER TABLE "users" ADD "prénom" text`);',
      '};',
    ].join('\n');
    expect(readUpStatements(text)).toEqual([
      {
        sql: 'ALTER TABLE "users" ADD "prénom" text',
        line: 3,
        allowed: new Set(),
      },
    ]);
  });

  it('marks SQL built at run time as unreadable', () => {
    const text = 'export async function up(q: any) {\n  const t = "users";\n  await q.query(`DROP TABLE ${t}`);\n}\n';
    expect(readUpStatements(text)).toEqual([{ sql: undefined, line: 3, allowed: new Set() }]);
  });
});

describe('lintMigration', () => {
  it('reports the rule id, line and subject of a risky migration', async () => {
    const text = migration(['ALTER TABLE "users" ALTER COLUMN "age" TYPE bigint']);
    const result = await lintMigration(text, 'a1b2c3d4e5f6_risky_change.ts', true);
    expect(result.findings).toEqual([
      expect.objectContaining({
        rule: expect.objectContaining({ id: 'PG003' }),
        line: text.split('\n').findIndex((line) => line.includes('TYPE bigint')) + 1,
        subject: 'ALTER TABLE "users" ALTER COLUMN "age" TYPE',
      }),
    ]);
  });

  it('passes the same migration once the rule is allowed', async () => {
    const text = migration(['ALTER TABLE "users" ALTER COLUMN "age" TYPE bigint']).replace(
      '  await queryRunner.query(`ALTER',
      '  // migrate-check-allow PG003: the table holds 12 rows\n  await queryRunner.query(`ALTER',
    );
    expect((await lintMigration(text, 'x.ts', true)).findings).toEqual([]);
  });

  it('reports a file that is not TypeScript as PG000 at the line and column of the error, with no allow comment', async () => {
    const text = migration(['CREATE TABLE "a" ("id" int)']).replace('("id" int)`);', '("id" int)`;');
    const line = text.split('\n').findIndex((candidate) => candidate.includes('("id" int)`;')) + 1;
    const result = await lintMigration(text, 'broken.ts', true);
    expect(result.findings).toEqual([
      {
        rule: expect.objectContaining({ id: 'PG000' }),
        line,
        column: text.split('\n')[line - 1].indexOf('`;') + 2,
        subject: "the file does not parse as TypeScript: Expected ',', got ';'",
        allowable: false,
      },
    ]);
  });

  it('reports a syntax error on a line past the tenth with its own line and column', async () => {
    const text = `${'// filler\n'.repeat(11)}export async function up(q: any) {\n  await q.query(\`x\`;\n}\n`;
    const [finding] = (await lintMigration(text, 'broken.ts', true)).findings;
    expect(finding).toMatchObject({ line: 13, column: 20, allowable: false });
    expect(finding.subject).not.toMatch(/^\s*x |\n/);
  });
});
