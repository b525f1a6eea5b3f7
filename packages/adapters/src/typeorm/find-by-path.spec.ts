import { findByPath } from './schema-diff';

interface Named {
  path: string;
  kind: 'table' | 'metadata';
}

/** The builder's `getTablePath` as `rememberTablePaths` patches it: every path given is seen while `seen` is set. */
function tablePaths() {
  const paths: { pathOf(target: unknown): string; seen?: string[] } = {
    pathOf(target: unknown) {
      const path = (target as Named).path;
      paths.seen?.push(path);
      return path;
    },
  };
  return paths;
}

function table(path: string): Named {
  return { path, kind: 'table' };
}

describe('findByPath (the builder looking up each entity table by path)', () => {
  const builderPredicate = (paths: ReturnType<typeof tablePaths>, metadata: Named) => (candidate: Named) =>
    paths.pathOf(candidate) === paths.pathOf(metadata);

  it('finds what Array.prototype.find finds, for tables present, absent and first', () => {
    const paths = tablePaths();
    const tables = findByPath(['public.a', 'public.b', 'audit.c', 'public.d'].map(table), paths);
    const plain = [...tables];
    for (const path of ['public.a', 'public.b', 'audit.c', 'public.d', 'public.new', 'audit.a']) {
      const metadata: Named = { path, kind: 'metadata' };
      expect(tables.find(builderPredicate(paths, metadata))).toBe(plain.find(builderPredicate(paths, metadata)));
    }
  });

  it('sees a table pushed after the index was built, and one renamed in place', () => {
    const paths = tablePaths();
    const tables = findByPath(['public.a', 'public.b'].map(table), paths);
    const lookUp = (path: string) => tables.find(builderPredicate(paths, { path, kind: 'metadata' }));
    expect(lookUp('public.b')).toBe(tables[1]);
    const added = table('public.c');
    tables.push(added);
    expect(lookUp('public.c')).toBe(added);
    // TypeORM renames a cached table by changing its name in place.
    tables[1]!.path = 'public.b2';
    expect(lookUp('public.b')).toBeUndefined();
    expect(lookUp('public.b2')).toBe(tables[1]);
  });

  it('returns the first of two tables with one path, as a scan does', () => {
    const paths = tablePaths();
    const tables = findByPath(['public.a', 'public.b', 'public.b'].map(table), paths);
    expect(tables.find(builderPredicate(paths, { path: 'public.b', kind: 'metadata' }))).toBe(tables[1]);
  });

  it('leaves any other predicate to the plain scan', () => {
    const paths = tablePaths();
    const tables = findByPath(['public.a', 'public.b', 'public.c'].map(table), paths);
    expect(tables.find((candidate) => candidate.path.endsWith('.c'))).toBe(tables[2]);
    expect(tables.find((candidate) => candidate.path === 'none')).toBeUndefined();
    // A predicate asking three paths (not the builder's comparison) is scanned too.
    const three = (candidate: Named) => paths.pathOf(candidate) === paths.pathOf(tables[1]) && paths.pathOf(tables[1]) !== '';
    expect(tables.find(three)).toBe(tables[1]);
    expect(findByPath([] as Named[], paths).find(() => true)).toBeUndefined();
  });
});
