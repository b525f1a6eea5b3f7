import {
  likelyRenames,
  parseRenameHint,
  RenameHintError,
  renameHintOf,
  renamesFromHints,
  withoutRenamed,
  type ShapeDifference,
} from './renames';

const varchar = (name: string) => ({ name, type: 'character varying' });
const integer = (name: string) => ({ name, type: 'integer' });

const columnCase: ShapeDifference = {
  removedTables: [],
  addedTables: [],
  changedTables: [{ schema: 'public', name: 'users', removed: [varchar('name')], added: [varchar('full_name')] }],
};

const tableCase: ShapeDifference = {
  removedTables: [{ schema: 'public', name: 'user', columns: [integer('id'), varchar('name')] }],
  addedTables: [{ schema: 'public', name: 'person', columns: [varchar('name'), integer('id')] }],
  changedTables: [],
};

describe('likelyRenames', () => {
  it('pairs a dropped and an added column of the same type in one table', () => {
    expect(likelyRenames(columnCase)).toEqual([{ kind: 'column', schema: 'public', table: 'users', from: 'name', to: 'full_name' }]);
  });

  it('pairs a dropped and an added table with the same columns, in any order', () => {
    expect(likelyRenames(tableCase)).toEqual([{ kind: 'table', schema: 'public', from: 'user', to: 'person' }]);
  });

  it('guesses nothing when types differ or the pairing is ambiguous', () => {
    expect(
      likelyRenames({ ...columnCase, changedTables: [{ schema: 'public', name: 'users', removed: [varchar('a')], added: [integer('b')] }] }),
    ).toEqual([]);
    expect(
      likelyRenames({
        ...columnCase,
        changedTables: [{ schema: 'public', name: 'users', removed: [varchar('a'), varchar('b')], added: [varchar('c')] }],
      }),
    ).toEqual([]);
    expect(
      likelyRenames({ ...tableCase, addedTables: [{ schema: 'public', name: 'person', columns: [integer('id'), varchar('title')] }] }),
    ).toEqual([]);
  });
});

describe('parseRenameHint', () => {
  it.each([
    ['users.name:full_name', { kind: 'column', schema: 'public', table: 'users', from: 'name', to: 'full_name' }],
    ['crm.users.name:full_name', { kind: 'column', schema: 'crm', table: 'users', from: 'name', to: 'full_name' }],
    ['user:person', { kind: 'table', schema: 'public', from: 'user', to: 'person' }],
    ['crm.user:crm.person', { kind: 'table', schema: 'crm', from: 'user', to: 'person' }],
  ])('%s', (hint, rename) => {
    expect(parseRenameHint(hint, 'public')).toEqual(rename);
  });

  it.each(['users.name', 'a:b:c', ':b', 'crm.user:sales.person'])('refuses %s with the two forms it takes', (hint) => {
    expect(() => parseRenameHint(hint, 'public')).toThrow(RenameHintError);
  });

  it('is the inverse of renameHintOf', () => {
    for (const rename of [...likelyRenames(columnCase), ...likelyRenames(tableCase)]) {
      expect(parseRenameHint(renameHintOf(rename, 'public'), 'public')).toEqual(rename);
    }
    expect(renameHintOf({ kind: 'column', schema: 'crm', table: 't', from: 'a', to: 'b' }, 'public')).toBe('crm.t.a:b');
  });
});

describe('renamesFromHints', () => {
  it('takes hints that name a dropped and an added column, whatever their types', () => {
    const difference: ShapeDifference = {
      ...columnCase,
      changedTables: [{ schema: 'public', name: 'users', removed: [varchar('age')], added: [integer('years')] }],
    };
    expect(renamesFromHints(['users.age:years'], difference, 'public')).toEqual([
      { kind: 'column', schema: 'public', table: 'users', from: 'age', to: 'years' },
    ]);
  });

  it('says which side does not match', () => {
    expect(() => renamesFromHints(['users.nam:full_name'], columnCase, 'public')).toThrow(
      '--rename=users.nam:full_name: no column nam is dropped from table users',
    );
    expect(() => renamesFromHints(['users.name:fullname'], columnCase, 'public')).toThrow(
      '--rename=users.name:fullname: no column fullname is added to table users',
    );
    expect(() => renamesFromHints(['users:people'], tableCase, 'public')).toThrow(/no table users is dropped/);
  });
});

describe('withoutRenamed', () => {
  it('leaves renamed tables and columns out of the drops and adds', () => {
    const both: ShapeDifference = { ...tableCase, changedTables: columnCase.changedTables };
    expect(withoutRenamed(both, [...likelyRenames(both)])).toEqual({
      removedTables: [],
      addedTables: [],
      changedTables: [{ schema: 'public', name: 'users', removed: [], added: [] }],
    });
  });
});
