import { readFileSync, writeFileSync } from 'node:fs';
import { writeTestProject, type TestMigration, type TestProject } from '../../testing/src/projects';
import { check, formatLintAnnotation } from './check';
import { MemoryReporter } from './reporter';

/** The lint of `migrate-check` as CI reads it: the `lint` findings of the result (the `--json` document). */
const USERS: TestMigration = {
  revision: 'users0000001',
  downRevisions: [],
  message: 'Create users',
  up: ['CREATE TABLE "users" ("id" SERIAL NOT NULL, "name" character varying NOT NULL, CONSTRAINT "PK_users" PRIMARY KEY ("id"))'],
  down: ['DROP TABLE "users"'],
};

describe('migrate-check lint findings', () => {
  let project: TestProject | undefined;
  afterEach(() => project?.remove());

  it('lists errors and warnings with workspace-relative files, and fails only on errors', async () => {
    const index: TestMigration = {
      revision: 'index0000002',
      downRevisions: [USERS.revision],
      message: 'Index users by name',
      up: ['CREATE INDEX "IDX_users_name" ON "users" ("name")'],
      down: ['DROP INDEX "IDX_users_name"'],
    };
    project = writeTestProject({ migrations: [USERS, index] });
    const result = await check(project.context(), {}, new MemoryReporter());
    expect(result.success).toBe(false);
    const file = (revision: string) => project!.fileOf(revision).slice(project!.workspaceRoot.length + 1);
    expect(result.lint).toEqual([
      expect.objectContaining({ file: file(USERS.revision), rule: 'PG015', severity: 'warning' }),
      expect.objectContaining({
        file: file(index.revision),
        rule: 'PG001',
        severity: 'error',
        subject: 'CREATE INDEX "IDX_users_name" ON "users"',
        allowComment: '// migrate-check-allow PG001: <reason>',
      }),
    ]);
    const lint = result.checks.find((line) => line.name === 'lint')!;
    expect(lint.passed).toBe(false);
    expect(lint.detail).toContain('1 risky statement(s), 1 warning');
    for (const annotation of result.lint) expect(lint.detail).toContain(formatLintAnnotation(annotation));
  });

  it('passes with warnings only', async () => {
    project = writeTestProject({ migrations: [USERS] });
    const result = await check(project.context(), {}, new MemoryReporter());
    expect(result.checks.find((line) => line.name === 'lint')).toMatchObject({ passed: true });
    expect(result.lint.map((annotation) => annotation.rule)).toEqual(['PG015']);
    expect(result.success).toBe(true);
  });

  it('points a file that does not parse at its line and column, with no swc drawing and no allow comment', async () => {
    project = writeTestProject({ migrations: [USERS] });
    const path = project.fileOf(USERS.revision);
    const broken = readFileSync(path, 'utf8').replace('DROP TABLE "users"`);', 'DROP TABLE "users"`;');
    writeFileSync(path, broken);
    const result = await check(project.context(), {}, new MemoryReporter());
    expect(result.success).toBe(false);
    const lines = broken.split('\n');
    const line = lines.findIndex((candidate) => candidate.includes('"users"`;')) + 1;
    const column = lines[line - 1].indexOf('`;') + 2;
    const file = path.slice(project.workspaceRoot.length + 1);
    const messages = result.checks.map((check) => check.detail).join('\n');
    expect(messages).toContain(`${file}:${line}:${column} PG000 the file does not parse as TypeScript`);
    expect(messages).not.toMatch(/^\s*x /m);
    expect(messages).not.toContain('migrate-check-allow');
    expect(messages).not.toContain(project.workspaceRoot);
  });
});
