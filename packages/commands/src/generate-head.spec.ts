import { writeFileSync } from 'node:fs';
import { writeTestProject, type TestProject } from '../../testing/src/projects';
import { generate, type GenerateOptions } from './generate';
import { MemoryReporter } from './reporter';

/**
 * The generator's `--head` as Alembic's `revision --head`: `base` (a new root), `LABEL@head`, a revision that is not
 * a head only with `--splice`. Empty migrations on a project on disk: no database.
 */
describe('generate --head, --splice, --depends-on', () => {
  let project: TestProject;
  const now = new Date(Date.UTC(2026, 11, 3));

  async function add(options: Omit<GenerateOptions, 'empty' | 'now'>): Promise<string> {
    const result = await generate(project.context(), { ...options, empty: true, now }, new MemoryReporter());
    if (!result.changed) throw new Error('an empty migration is always written');
    writeFileSync(result.path, result.content);
    return result.content;
  }
  const downOf = (text: string) => /export const downRevision: string \| readonly string\[\] \| null = (.*);/.exec(text)?.[1];

  beforeEach(async () => {
    project = writeTestProject();
    await add({ message: 'One', revId: 'r1' });
    await add({ message: 'Two', revId: 'r2' });
  });
  afterEach(() => project.remove());

  it('--head=base starts a new root; LABEL@head builds on that branch; a label stays a label in dependsOn', async () => {
    expect(downOf(await add({ message: 'Lib', revId: 'c1', head: 'base', branchLabel: 'lib' }))).toBe('null');
    expect(downOf(await add({ message: 'Lib 2', revId: 'c2', head: 'lib@head' }))).toBe("'c1'");
    const three = await add({ message: 'Three', revId: 'r3', head: 'r2', dependsOn: ['lib'] });
    expect(downOf(three)).toBe("'r2'");
    expect(three).toContain("export const dependsOn: readonly string[] = ['lib'];");
  });

  it('a revision that is not a head needs --splice, which starts a branch from it', async () => {
    await expect(add({ message: 'Side', revId: 's1', head: 'r1' })).rejects.toThrow(
      '--head=r1: Revision r1 is not a head revision; pass --splice to start a new branch from it, or base the new ' +
        'revision on a head.',
    );
    expect(downOf(await add({ message: 'Side', revId: 's1', head: 'r1', splice: true }))).toBe("'r1'");
  });

  it('refuses a relative --head, several heads at once, and a branch label equal to a revision id', async () => {
    await expect(add({ message: 'X', head: 'head-1' })).rejects.toThrow(
      '--head=head-1: name a revision, head, LABEL@head or base, not a relative move.',
    );
    await add({ message: 'Side', revId: 's1', head: 'r1', splice: true });
    await expect(add({ message: 'X', head: 'heads' })).rejects.toThrow(
      '--head=heads names several heads (r2, s1); join them with nx g nx-typeorm-migrations:merge --project=backend -m "...", or name one.',
    );
    await expect(add({ message: 'X', head: 'r2', branchLabel: 'r1' })).rejects.toThrow(
      'Branch label r1 is the id of revision r1; labels and ids share one namespace, choose another.',
    );
  });
});
