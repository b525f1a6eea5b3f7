import { graphOf } from '../../testing/src/revision-fixture';
import type { ProjectContext } from './context';
import { statusOf } from './status';

const context: ProjectContext = {
  workspaceRoot: '/w',
  projectRoot: '/w/apps/backend',
  projectName: 'backend',
  dataSourceFile: '/w/apps/backend/src/data-source.ts',
  migrationsDir: '/w/apps/backend/migrations/versions',
  env: {},
};

describe('statusOf: at head with folded dependency rows', () => {
  // lib: c1 -> c2, app: a1 -> a2 -> a3, a2 depending on c2: c2 is a head that a2 builds on.
  const graph = graphOf('c1; c2<c1; a1; a2<a1~c2; a3<a2');
  const migrations = { files: [], byRevision: new Map(), graph };

  it('is at head when the one row a3 stands for both heads (a3 and c2)', () => {
    const result = statusOf(context, migrations, ['a3'], new Map(), 'Database: test', { checkHeads: true });
    expect(result).toMatchObject({ success: true, atHead: true, heads: ['a3', 'c2'], pending: [] });
  });

  it('is not at head, and fails --check-heads, with a head pending', () => {
    const result = statusOf(context, migrations, ['a1', 'c2'], new Map(), 'Database: test', { checkHeads: true });
    expect(result).toMatchObject({ success: false, atHead: false });
    expect(result.pending.map((entry) => entry.revision)).toEqual(['a2', 'a3']);
  });
});
