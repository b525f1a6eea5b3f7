import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { readMigrationDirectory } from '../../../../adapters/src/fs/migration-directory';
import { typeormLineUnderTest, writeTypeormLegacyProject } from '../../../../testing/src/typeorm-legacy-project';
import { importTypeormGenerator } from './generator';

describe(`import-typeorm generator with TypeORM ${typeormLineUnderTest()}`, () => {
  it('writes the revisions of the project its data source names, then finds nothing more to import', async () => {
    const project = writeTypeormLegacyProject(typeormLineUnderTest());
    writeFileSync(join(project.root, 'nx.json'), '{}\n');
    writeFileSync(join(project.root, 'project.json'), JSON.stringify({ name: 'legacy', root: '.' }) + '\n');
    const tree = new FsTree(project.root, false);
    await importTypeormGenerator(tree, { project: 'legacy' });
    flushChanges(project.root, tree.listChanges());
    const revisions = readMigrationDirectory(project.versionsDir);
    expect(revisions).toHaveLength(20);
    expect(revisions.filter((file) => file.downRevisions.length === 0).map((file) => file.message)).toEqual([
      'Create users',
    ]);

    const again = new FsTree(project.root, false);
    await importTypeormGenerator(again, { project: 'legacy' });
    expect(again.listChanges()).toEqual([]);
  }, 60_000);
});
