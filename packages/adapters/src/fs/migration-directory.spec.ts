import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksumOf, MigrationFileError, renderMigrationFile } from '../../../core/src/migration-file';
import { TypeScriptSyntaxError } from '../typescript/typescript-loader';
import { captureError } from '../../../testing/src/revision-fixture';
import {
  DuplicateRevisionError,
  loadMigrationFunctions,
  MigrationsFolderNotFoundError,
  readMigrationDirectory,
} from './migration-directory';

function migrationText(revision: string, down: string[], upSql = 'SELECT 1'): string {
  return renderMigrationFile({
    revision,
    downRevisions: down,
    message: `Make ${revision}`,
    createDate: new Date('2026-11-25T10:00:00Z'),
    up: [upSql],
    down: ['SELECT 2'],
  });
}

describe('readMigrationDirectory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ntm-versions-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads metadata and checksums of every migration file, ignoring specs, declarations and folders', () => {
    writeFileSync(join(dir, 'bbbb_second.ts'), migrationText('bbbb', ['aaaa']));
    writeFileSync(join(dir, 'aaaa_first.ts'), migrationText('aaaa', []));
    writeFileSync(join(dir, 'aaaa_first.spec.ts'), 'it("x", () => undefined);');
    writeFileSync(join(dir, 'types.d.ts'), 'export {};');
    writeFileSync(join(dir, 'notes.md'), '# notes');
    mkdirSync(join(dir, 'old.ts'));
    const files = readMigrationDirectory(dir);
    expect(files.map((file) => [file.revision, file.downRevisions, file.message])).toEqual([
      ['aaaa', [], 'Make aaaa'],
      ['bbbb', ['aaaa'], 'Make bbbb'],
    ]);
    expect(files[0].file).toBe(join(dir, 'aaaa_first.ts'));
    expect(files[0].checksum).toBe(checksumOf(migrationText('aaaa', [])));
    expect(files[0].transactional).toBe(true);
  });

  it('refuses a folder that does not exist, naming it', () => {
    const error = captureError(() => readMigrationDirectory(join(dir, 'missing')));
    expect(error).toBeInstanceOf(MigrationsFolderNotFoundError);
    expect(error).toMatchObject({ code: 'MIGRATIONS_FOLDER_NOT_FOUND', folder: join(dir, 'missing') });
  });

  it('has no migrations in a folder that does not exist yet when the caller creates it', () => {
    expect(readMigrationDirectory(join(dir, 'missing'), { missing: 'empty' })).toEqual([]);
  });

  it('names both files when two declare the same revision', () => {
    writeFileSync(join(dir, 'aaaa_first.ts'), migrationText('aaaa', []));
    writeFileSync(join(dir, 'aaaa_copy.ts'), migrationText('aaaa', []));
    expect(() => readMigrationDirectory(dir)).toThrow(DuplicateRevisionError);
    expect(() => readMigrationDirectory(dir)).toThrow(/aaaa_copy\.ts and .*aaaa_first\.ts/);
  });

  it('names the file that lacks its metadata', () => {
    writeFileSync(join(dir, 'nothing.ts'), 'export const x = 1;');
    expect(() => readMigrationDirectory(dir)).toThrow(MigrationFileError);
    expect(() => readMigrationDirectory(dir)).toThrow(/nothing\.ts/);
  });

  it('never runs a file to read its metadata', () => {
    writeFileSync(join(dir, 'aaaa_first.ts'), migrationText('aaaa', []) + '\nthrow new Error("ran");\n');
    expect(readMigrationDirectory(dir)).toHaveLength(1);
  });
});

describe('loadMigrationFunctions', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ntm-versions-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads up and down that issue their statements on the query runner', async () => {
    writeFileSync(join(dir, 'aaaa_first.ts'), migrationText('aaaa', [], 'CREATE TABLE "t" ("id" int)'));
    const [migration] = readMigrationDirectory(dir);
    const { up, down } = await loadMigrationFunctions(migration);
    const issued: string[] = [];
    const queryRunner = { query: async (sql: string) => void issued.push(sql) } as never;
    await up(queryRunner);
    await down(queryRunner);
    expect(issued).toEqual(['CREATE TABLE "t" ("id" int)', 'SELECT 2']);
  });

  it('names the file when up or down is missing', async () => {
    writeFileSync(
      join(dir, 'aaaa_first.ts'),
      `export const revision = 'aaaa';\nexport const downRevision = null;\nexport async function up() {}\n`,
    );
    const [migration] = readMigrationDirectory(dir);
    await expect(loadMigrationFunctions(migration)).rejects.toThrow(/aaaa_first\.ts: exports no `down` function/);
  });

  it('names the file and line of a syntax error', async () => {
    writeFileSync(join(dir, 'aaaa_first.ts'), migrationText('aaaa', []).replace('SELECT 1`);', 'SELECT 1`;'));
    const [migration] = readMigrationDirectory(dir);
    await expect(loadMigrationFunctions(migration)).rejects.toThrow(TypeScriptSyntaxError);
    await expect(loadMigrationFunctions(migration)).rejects.toThrow(/aaaa_first\.ts: .*\(line \d+\)/);
  });
});
