import {
  checksumOf,
  isDuration,
  isValidRevisionId,
  MigrationFileError,
  migrationFileName,
  newRevisionId,
  readExportedLiteral,
  readMigrationMetadata,
  renderMigrationFile,
  rewriteDownRevision,
  slugify,
} from './migration-file';

const createDate = new Date('2026-11-25T10:00:00.000Z');

describe('renderMigrationFile', () => {
  it('renders a first migration with one statement per call and down in the given order', () => {
    const text = renderMigrationFile({
      revision: '3f2a9c1b7d4e',
      downRevisions: [],
      message: 'Add users table',
      createDate,
      up: ['CREATE TABLE "users" ("id" SERIAL NOT NULL)', 'CREATE INDEX "IDX_users_id" ON "users" ("id")'],
      down: ['DROP INDEX "public"."IDX_users_id"', 'DROP TABLE "users"'],
    });
    expect(text).toBe(
      [
        '/**',
        ' * Add users table',
        ' *',
        ' * Revision ID: 3f2a9c1b7d4e',
        ' * Revises: <base>',
        ' * Create Date: 2026-11-25T10:00:00.000Z',
        ' */',
        "import type { QueryRunner } from 'typeorm';",
        '',
        "export const revision = '3f2a9c1b7d4e';",
        'export const downRevision: string | readonly string[] | null = null;',
        "export const message = 'Add users table';",
        'export const branchLabels: readonly string[] = [];',
        'export const dependsOn: readonly string[] = [];',
        'export const transactional = true;',
        '',
        'export async function up(queryRunner: QueryRunner): Promise<void> {',
        '  await queryRunner.query(`CREATE TABLE "users" ("id" SERIAL NOT NULL)`);',
        '  await queryRunner.query(`CREATE INDEX "IDX_users_id" ON "users" ("id")`);',
        '}',
        '',
        'export async function down(queryRunner: QueryRunner): Promise<void> {',
        '  await queryRunner.query(`DROP INDEX "public"."IDX_users_id"`);',
        '  await queryRunner.query(`DROP TABLE "users"`);',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('renders a merge with an array of down revisions and an empty body with a hint', () => {
    const text = renderMigrationFile({
      revision: 'merge_1',
      downRevisions: ['aaaa1111', 'bbbb2222'],
      message: 'Merge heads',
      createDate,
      up: [],
      down: [],
      emptyBodyHint: 'Nothing to do: this revision joins two branches.',
    });
    expect(text).toContain(" * Revises: aaaa1111, bbbb2222\n");
    expect(text).toContain("export const downRevision: string | readonly string[] | null = ['aaaa1111', 'bbbb2222'];");
    expect(text).toContain(
      'export async function up(queryRunner: QueryRunner): Promise<void> {\n  // Nothing to do: this revision joins two branches.\n}',
    );
  });

  it('escapes backticks, backslashes and ${ in SQL, and keeps bind parameters', () => {
    const text = renderMigrationFile({
      revision: 'abcd',
      downRevisions: ['prev'],
      message: "Owner's `quoted` name",
      createDate,
      up: [{ sql: 'INSERT INTO "t" ("a") VALUES ($1) -- `x` ${y} \\n', parameters: ['v', 2] }],
      down: [],
    });
    expect(text).toContain('await queryRunner.query(`INSERT INTO "t" ("a") VALUES ($1) -- \\`x\\` \\${y} \\\\n`, ["v",2]);');
    expect(text).toContain("export const message = 'Owner\\'s `quoted` name';");
  });

  it('writes branch labels, depends-on and a non-transactional flag', () => {
    const text = renderMigrationFile({
      revision: 'abcd',
      downRevisions: [],
      message: 'Analytics base',
      branchLabels: ['analytics'],
      dependsOn: ['ffff0000'],
      transactional: false,
      createDate,
      up: [],
      down: [],
    });
    expect(readMigrationMetadata(text, 'x.ts')).toEqual({
      revision: 'abcd',
      downRevisions: [],
      message: 'Analytics base',
      branchLabels: ['analytics'],
      dependsOn: ['ffff0000'],
      transactional: false,
    });
  });

  it('refuses an invalid revision id', () => {
    expect(() =>
      renderMigrationFile({ revision: 'a-b', downRevisions: [], message: 'm', createDate, up: [], down: [] }),
    ).toThrow('"a-b" is not a valid revision id');
  });
});

describe('readMigrationMetadata', () => {
  it('reads back what the renderer wrote, for every shape of down revision', () => {
    for (const downRevisions of [[], ['p1'], ['p1', 'p2', 'p3']]) {
      const text = renderMigrationFile({
        revision: 'r1',
        downRevisions,
        message: 'Multi\nline message',
        createDate,
        up: ['SELECT 1'],
        down: [],
      });
      const metadata = readMigrationMetadata(text, 'r1_x.ts');
      expect(metadata.downRevisions).toEqual(downRevisions);
      expect(metadata.message).toBe('Multi\nline message');
      expect(metadata.transactional).toBe(true);
    }
  });

  it('accepts hand-formatted literals: double quotes, multi-line arrays, comments, as const, no annotations', () => {
    const text = [
      'export const revision = "abc123";',
      'export const downRevision = [',
      '  "p1", // the users branch',
      "  'p2',",
      '] as const;',
      'export const message = `Merge`;',
      'export const transactional = false;',
    ].join('\n');
    expect(readMigrationMetadata(text, 'f.ts')).toEqual({
      revision: 'abc123',
      downRevisions: ['p1', 'p2'],
      message: 'Merge',
      branchLabels: [],
      dependsOn: [],
      transactional: false,
    });
  });

  it('names the file when the revision is missing', () => {
    expect(() => readMigrationMetadata('export const downRevision = null;', 'versions/broken.ts')).toThrow(
      new MigrationFileError(
        'versions/broken.ts',
        "exports no revision id; every migration file needs `export const revision = '<id>';` (letters, digits and _).",
      ),
    );
  });

  it('names the file when downRevision is missing', () => {
    expect(() => readMigrationMetadata("export const revision = 'abcd';", 'v/a.ts')).toThrow(
      'v/a.ts: exports no `downRevision`',
    );
  });

  it('refuses a computed value, saying it must be a literal', () => {
    const text = "export const revision = 'abcd';\nexport const downRevision = PARENT;";
    expect(() => readMigrationMetadata(text, 'v/a.ts')).toThrow(
      'v/a.ts: `downRevision` must be written as a literal',
    );
  });

  it('refuses a template literal with substitutions', () => {
    expect(() => readExportedLiteral('export const message = `a ${b}`;', 'message', 'f.ts')).toThrow(
      'must be written as a literal',
    );
  });

  it('refuses revision ids with characters other than letters, digits and _', () => {
    expect(() => readMigrationMetadata("export const revision = 'a-b';\nexport const downRevision = null;", 'f.ts')).toThrow(
      'letters, digits and _ only',
    );
    expect(() =>
      readMigrationMetadata("export const revision = 'ab';\nexport const downRevision = ['x y'];", 'f.ts'),
    ).toThrow('`downRevision` must be null, a revision id, or an array of revision ids.');
  });

  it('reads the timeouts a migration sets for itself, and leaves them out when it sets none', () => {
    const base = { revision: 'abc123', downRevisions: [], message: 'm', createDate, up: [], down: [] };
    const timed = readMigrationMetadata(
      renderMigrationFile({ ...base, lockTimeout: '10s', statementTimeout: '2min' }),
      'f.ts',
    );
    expect({ lock: timed.lockTimeout, statement: timed.statementTimeout }).toEqual({ lock: '10s', statement: '2min' });
    const plain = readMigrationMetadata(renderMigrationFile(base), 'f.ts');
    expect(Object.keys(plain)).not.toContain('lockTimeout');
    expect(Object.keys(plain)).not.toContain('statementTimeout');
  });

  it('refuses a timeout that is not a duration, naming the file and the export', () => {
    const text = renderMigrationFile({ revision: 'abc123', downRevisions: [], message: 'm', createDate, up: [], down: [] });
    expect(() => readMigrationMetadata(`${text}export const lockTimeout = 'soon';\n`, 'f.ts')).toThrow(
      "f.ts: `lockTimeout` must be a duration string such as '10s', '500ms' or '2min' ('0' for no limit).",
    );
    expect(() => readMigrationMetadata(`${text}export const statementTimeout = true;\n`, 'f.ts')).toThrow(/statementTimeout/);
  });

  it('knows the durations PostgreSQL takes for its timeouts', () => {
    expect(['0', '250', '500ms', '10s', '1.5s', '2min', '1h', '1d', '100us', '5 s'].filter(isDuration)).toHaveLength(10);
    expect(['', 's', '-1s', '10 seconds', '5m', "5s'; DROP TABLE x; --", '1e3'].filter(isDuration)).toEqual([]);
  });

  it('ignores a declaration that is not exported at the start of a line', () => {
    expect(readExportedLiteral("// export const revision = 'x';\nconst revision = 'y';", 'revision', 'f.ts')).toBe(
      undefined,
    );
  });
});

describe('rewriteDownRevision', () => {
  const original = renderMigrationFile({
    revision: 'child1',
    downRevisions: ['oldparent'],
    message: 'Add posts',
    createDate,
    up: ['CREATE TABLE "posts" ()'],
    down: ['DROP TABLE "posts"'],
  });

  it('changes only the declaration and the Revises line', () => {
    const rewritten = rewriteDownRevision(original, ['newparent'], 'f.ts');
    expect(readMigrationMetadata(rewritten, 'f.ts').downRevisions).toEqual(['newparent']);
    expect(rewritten).toContain(' * Revises: newparent\n');
    const changed = original.split('\n').filter((line, i) => line !== rewritten.split('\n')[i]);
    expect(changed).toEqual([
      ' * Revises: oldparent',
      "export const downRevision: string | readonly string[] | null = 'oldparent';",
    ]);
  });

  it('can make a revision a base or a merge', () => {
    expect(readMigrationMetadata(rewriteDownRevision(original, [], 'f.ts'), 'f.ts').downRevisions).toEqual([]);
    expect(rewriteDownRevision(original, [], 'f.ts')).toContain(' * Revises: <base>');
    expect(readMigrationMetadata(rewriteDownRevision(original, ['a', 'b'], 'f.ts'), 'f.ts').downRevisions).toEqual([
      'a',
      'b',
    ]);
  });

  it('refuses a file without a literal declaration', () => {
    expect(() => rewriteDownRevision("export const revision = 'a';", ['b'], 'f.ts')).toThrow(
      'f.ts: has no literal `downRevision` declaration to rewrite.',
    );
  });
});

describe('names and checksums', () => {
  it('slugifies messages into file names', () => {
    expect(slugify('Add users table')).toBe('add_users_table');
    expect(slugify('  Drop "legacy" columns!! ')).toBe('drop_legacy_columns');
    expect(slugify('???')).toBe('migration');
    expect(slugify('a'.repeat(39) + ' bcd')).toBe('a'.repeat(39));
    expect(migrationFileName('3f2a9c1b7d4e', 'Add users table')).toBe('3f2a9c1b7d4e_add_users_table.ts');
  });

  it('makes 12-hex-character revision ids that differ', () => {
    const ids = new Set(Array.from({ length: 50 }, newRevisionId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}$/);
  });

  it('validates revision ids', () => {
    expect(isValidRevisionId('abc_123')).toBe(true);
    expect(isValidRevisionId('')).toBe(false);
    expect(isValidRevisionId('abc-123')).toBe(false);
    expect(isValidRevisionId('head')).toBe(false);
    expect(isValidRevisionId('heads')).toBe(false);
    expect(isValidRevisionId('base')).toBe(false);
    expect(isValidRevisionId('baseline')).toBe(true);
  });

  it('checksums ignore CRLF versus LF but see any other edit', () => {
    expect(checksumOf('a\r\nb\n')).toBe(checksumOf('a\nb\n'));
    expect(checksumOf('a\nb\n')).not.toBe(checksumOf('a\nb \n'));
    expect(checksumOf('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
