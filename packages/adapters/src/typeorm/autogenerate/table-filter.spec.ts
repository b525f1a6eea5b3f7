import { isToolTable, splitPatterns, tableFilter } from './table-filter';

describe('tableFilter', () => {
  it('keeps every table without patterns', () => {
    expect(tableFilter().includes('public', 'anything')).toBe(true);
  });

  it('matches a pattern without a dot against the table name in any schema, with * and ?', () => {
    const filter = tableFilter({ exclude: ['spatial_ref_sys', 'legacy_*', 'tmp?'] });
    expect(filter.includes('public', 'spatial_ref_sys')).toBe(false);
    expect(filter.includes('audit', 'legacy_orders')).toBe(false);
    expect(filter.includes('public', 'tmp1')).toBe(false);
    expect(filter.includes('public', 'tmp12')).toBe(true);
    expect(filter.includes('public', 'orders')).toBe(true);
  });

  it('matches a pattern with a dot against schema.table, so schema.* is a whole schema', () => {
    const filter = tableFilter({ exclude: ['audit.*'] });
    expect(filter.includes('audit', 'events')).toBe(false);
    expect(filter.includes('public', 'events')).toBe(true);
  });

  it('takes regular expression characters literally', () => {
    const filter = tableFilter({ exclude: ['a.b+c'] });
    expect(filter.includes('a', 'b+c')).toBe(false);
    expect(filter.includes('a', 'bbc')).toBe(true);
  });

  it('with include, compares only matching tables, and exclude still wins', () => {
    const filter = tableFilter({ include: ['public.*'], exclude: ['public.cache_*'] });
    expect(filter.includes('public', 'users')).toBe(true);
    expect(filter.includes('public', 'cache_pages')).toBe(false);
    expect(filter.includes('billing', 'users')).toBe(false);
  });
});

describe('splitPatterns', () => {
  it('reads one comma-separated value or a list, dropping blanks', () => {
    expect(splitPatterns('a, b ,,c')).toEqual(['a', 'b', 'c']);
    expect(splitPatterns(['a,b', 'c'])).toEqual(['a', 'b', 'c']);
    expect(splitPatterns(undefined)).toEqual([]);
  });
});

describe('isToolTable', () => {
  it('protects nx_migrations_* and the TypeORM tables named', () => {
    expect(isToolTable('nx_migrations_version', [])).toBe(true);
    expect(isToolTable('nx_migrations_lock', [])).toBe(true);
    expect(isToolTable('typeorm_metadata', ['typeorm_metadata', 'migrations'])).toBe(true);
    expect(isToolTable('migrations', ['typeorm_metadata', 'migrations'])).toBe(true);
    expect(isToolTable('users', ['typeorm_metadata', 'migrations'])).toBe(false);
  });
});
