import {
  importedRevisionsOf,
  qualifiedTableName,
  recogniseTypeormHistory,
  sortLikeTypeorm,
  TypeormHistoryGapError,
  typeormTimestampOf,
  UnknownTypeormMigrationsError,
  type ImportedRevision,
  type TypeormHistoryRow,
} from './typeorm-history';

const chain: ImportedRevision[] = [
  { revision: 'aaaa00000001', typeormName: 'CreateUsers1700000000000' },
  { revision: 'aaaa00000002', typeormName: 'AddEmail1700000001000' },
  { revision: 'aaaa00000003', typeormName: 'CreatePosts1700000002000' },
];

function rows(...names: string[]): TypeormHistoryRow[] {
  return names.map((name, index) => ({
    id: index + 1,
    timestamp: typeormTimestampOf(name) ?? 0,
    name,
  }));
}

describe('typeormTimestampOf', () => {
  it('reads the last 13 characters as TypeORM does', () => {
    expect(typeormTimestampOf('CreateUsers1700000000000')).toBe(1700000000000);
    expect(typeormTimestampOf('1700000000000')).toBe(1700000000000);
  });

  it('finds no timestamp where TypeORM would refuse the name', () => {
    expect(typeormTimestampOf('CreateUsers')).toBeUndefined();
    expect(typeormTimestampOf('CreateUsers0000000000000')).toBeUndefined();
  });
});

describe('sortLikeTypeorm', () => {
  it('orders by timestamp and keeps the listing order of ties', () => {
    const sorted = sortLikeTypeorm([
      { name: 'c', timestamp: 3 },
      { name: 'a1', timestamp: 1 },
      { name: 'b', timestamp: 2 },
      { name: 'a2', timestamp: 1 },
    ]);
    expect(sorted.map((entry) => entry.name)).toEqual(['a1', 'a2', 'b', 'c']);
  });
});

describe('recogniseTypeormHistory', () => {
  it('recognises nothing when TypeORM ran nothing', () => {
    expect(recogniseTypeormHistory([], chain, 'migrations')).toBeUndefined();
  });

  it('stamps the newest revision of a fully applied chain', () => {
    expect(
      recogniseTypeormHistory(
        rows('CreateUsers1700000000000', 'AddEmail1700000001000', 'CreatePosts1700000002000'),
        chain,
        'migrations',
      ),
    ).toEqual({
      revision: 'aaaa00000003',
      typeormNames: ['CreateUsers1700000000000', 'AddEmail1700000001000', 'CreatePosts1700000002000'],
    });
  });

  it('stamps the last revision of an applied prefix, whatever order the ids say', () => {
    expect(
      recogniseTypeormHistory(rows('AddEmail1700000001000', 'CreateUsers1700000000000'), chain, 'migrations'),
    ).toEqual({
      revision: 'aaaa00000002',
      typeormNames: ['CreateUsers1700000000000', 'AddEmail1700000001000'],
    });
  });

  it('refuses a table that skips a migration', () => {
    const recognise = () =>
      recogniseTypeormHistory(rows('CreateUsers1700000000000', 'CreatePosts1700000002000'), chain, 'migrations');
    expect(recognise).toThrow(TypeormHistoryGapError);
    expect(recognise).toThrow(/lists CreatePosts1700000002000 but not AddEmail1700000001000/);
  });

  it('refuses names that no revision was imported from', () => {
    const recognise = () =>
      recogniseTypeormHistory(rows('CreateUsers1700000000000', 'Hotfix1700000000500'), chain, 'public.migrations');
    expect(recognise).toThrow(UnknownTypeormMigrationsError);
    expect(recognise).toThrow("TypeORM's public.migrations table lists Hotfix1700000000500");
  });
});

describe('importedRevisionsOf', () => {
  function file(revision: string, down: string | null, typeormName?: string) {
    const text = [
      `export const revision = '${revision}';`,
      `export const downRevision: string | readonly string[] | null = ${down ? `'${down}'` : 'null'};`,
      typeormName ? `export const typeormName = '${typeormName}';` : '',
    ].join('\n');
    return {
      file: `${revision}_x.ts`,
      text,
      revision,
      downRevisions: down ? [down] : [],
    };
  }

  it('orders the imported revisions along their chain, ignoring revisions written later', () => {
    const files = [
      file('native000001', 'aaaa00000003'),
      file('aaaa00000003', 'aaaa00000002', 'CreatePosts1700000002000'),
      file('aaaa00000001', null, 'CreateUsers1700000000000'),
      file('aaaa00000002', 'aaaa00000001', 'AddEmail1700000001000'),
    ];
    expect(importedRevisionsOf(files)).toEqual(chain);
  });

  it('finds none in a directory of native revisions', () => {
    expect(importedRevisionsOf([file('native000001', null), file('native000002', 'native000001')])).toEqual([]);
  });
});

describe('qualifiedTableName', () => {
  it('quotes the table and its schema', () => {
    expect(qualifiedTableName({})).toBe('"migrations"');
    expect(qualifiedTableName({ name: 'typeorm_migrations', schema: 'app' })).toBe('"app"."typeorm_migrations"');
    expect(qualifiedTableName({ name: 'we"ird' })).toBe('"we""ird"');
  });
});
