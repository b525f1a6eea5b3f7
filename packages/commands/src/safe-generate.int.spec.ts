import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTestProject, type TestProject } from '../../testing/src/projects';
import { check } from './check';
import { generate } from './generate';
import { MemoryReporter } from './reporter';

// A fresh PGlite alone can take 5 s; this test starts several.
jest.setTimeout(180_000);

/** The users entity after a release: a foreign key to teams, a NOT NULL name, an index, and no `nickname`. */
const USER_AND_TEAM = `import { Column, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

@Entity('teams')
export class Team {
  @PrimaryGeneratedColumn()
  id!: number;
}

@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index()
  @Column()
  name!: string;

  @ManyToOne(() => Team, { nullable: true })
  team!: Team | null;
}
`;

const USER_BEFORE = `import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', nullable: true })
  name!: string | null;

  @Column({ type: 'varchar', nullable: true })
  nickname!: string | null;
}
`;

/**
 * What a user of the generator sees end to end (on the default PGlite shadow): the safe form of a change to existing
 * tables passes `migrate-check`'s stairway and lint, and a drop is the one thing the summary calls risky, by rule.
 */
describe('safe SQL by default, end to end', () => {
  let project: TestProject;
  afterAll(() => project?.remove());

  it('writes the safe forms in two files that pass migrate-check, and names the risky drop by its rule', async () => {
    project = writeTestProject({ files: { 'src/entities/user.entity.ts': USER_BEFORE } });
    const created = await generate(project.context(), { message: 'Create users' }, new MemoryReporter());
    if (!created.changed) throw new Error('expected a migration');
    for (const file of created.files) writeFileSync(file.path, file.content);

    writeFileSync(join(project.projectRoot, 'src/entities/user-v2.entity.ts'), USER_AND_TEAM);
    const dataSource = join(project.projectRoot, 'src/data-source.ts');
    writeFileSync(
      dataSource,
      readFileSync(dataSource, 'utf8')
        .replace("import { User } from './entities/user.entity';", "import { Team, User } from './entities/user-v2.entity';")
        .replace('entities: [User]', 'entities: [User, Team]'),
    );
    const reporter = new MemoryReporter();
    const change = await generate(project.context(), { message: 'Teams' }, reporter);
    if (!change.changed) throw new Error('expected a migration');
    expect(change.files.map((file) => file.transactional)).toEqual([true, false]);
    const [first, second] = change.files.map((file) => file.content);
    expect(first).toMatch(/FOREIGN KEY \("teamId"\) REFERENCES "teams"\("id"\).* NOT VALID`/);
    expect(second).toMatch(/VALIDATE CONSTRAINT "FK_\w+"/);
    expect(second).toMatch(/CHECK \("name" IS NOT NULL\) NOT VALID/);
    expect(second).toMatch(/CREATE INDEX CONCURRENTLY "IDX_\w+" ON "users"\s+\("name"\)/);
    expect(change.risks.filter((risk) => risk.severity === 'error')).toEqual([
      expect.objectContaining({ rule: 'PG005', subject: 'ALTER TABLE "users" DROP COLUMN "nickname"' }),
    ]);
    expect(reporter.lines).toContain(
      '  PG005 column or table dropped: ALTER TABLE "users" DROP COLUMN "nickname" (// migrate-check-allow PG005: <reason>)',
    );
    expect(reporter.lines.join('\n')).toContain(`${change.files[1].fileName} runs after ${change.revision} outside a transaction`);
    for (const file of change.files) writeFileSync(file.path, file.content);

    const gate = await check(project.context(), {}, new MemoryReporter());
    const byName = Object.fromEntries(gate.checks.map((line) => [line.name, line]));
    expect(byName['stairway'].detail).toMatch(/^3 migrations upgrade, downgrade and upgrade again/);
    expect(byName['entities match migrations'].passed).toBe(true);
    expect(gate.lint.filter((finding) => finding.severity === 'error').map((finding) => finding.rule)).toEqual(['PG005']);

    // Once the drop is reviewed and allowed, the gate passes.
    writeFileSync(
      change.path,
      readFileSync(change.path, 'utf8').replace(
        '  await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "nickname"`);',
        '  // migrate-check-allow PG005: nickname is unused since the previous release\n  await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "nickname"`);',
      ),
    );
    expect((await check(project.context(), {}, new MemoryReporter())).success).toBe(true);
  });
});
