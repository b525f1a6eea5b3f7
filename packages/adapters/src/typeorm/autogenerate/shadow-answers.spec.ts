import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { packageCacheFile, writeCacheFile } from '../../fs/tool-cache';
import { openAfter, questionKey, readShadowAnswers, saveShadowAnswers, type Answer, type Answers } from './shadow-answers';

describe('openAfter', () => {
  it('opens a transaction on BEGIN and START TRANSACTION, replacing whatever was open', () => {
    expect(openAfter([], 'BEGIN')).toEqual(['START TRANSACTION']);
    expect(openAfter([], 'START TRANSACTION')).toEqual(['START TRANSACTION']);
    expect(openAfter([], '  begin transaction isolation level serializable;')).toEqual(['START TRANSACTION']);
    expect(openAfter(['START TRANSACTION', 'SAVEPOINT a'], 'BEGIN')).toEqual(['START TRANSACTION']);
  });

  it('adds a savepoint, in order', () => {
    expect(openAfter(['START TRANSACTION'], 'SAVEPOINT typeorm_1')).toEqual(['START TRANSACTION', 'SAVEPOINT typeorm_1']);
    expect(openAfter(['START TRANSACTION', 'SAVEPOINT a'], 'SAVEPOINT b;')).toEqual(['START TRANSACTION', 'SAVEPOINT a', 'SAVEPOINT b']);
  });

  it('RELEASE [SAVEPOINT] closes the savepoint and every one after it', () => {
    const open = ['START TRANSACTION', 'SAVEPOINT a', 'SAVEPOINT b', 'SAVEPOINT c'];
    expect(openAfter(open, 'RELEASE SAVEPOINT b')).toEqual(['START TRANSACTION', 'SAVEPOINT a']);
    expect(openAfter(open, 'RELEASE b')).toEqual(['START TRANSACTION', 'SAVEPOINT a']);
    expect(openAfter(open, 'release savepoint c;')).toEqual(['START TRANSACTION', 'SAVEPOINT a', 'SAVEPOINT b']);
    expect(openAfter(open, 'RELEASE SAVEPOINT a')).toEqual(['START TRANSACTION']);
  });

  it('ROLLBACK TO [SAVEPOINT] keeps the savepoint and closes those after it', () => {
    const open = ['START TRANSACTION', 'SAVEPOINT a', 'SAVEPOINT b', 'SAVEPOINT c'];
    expect(openAfter(open, 'ROLLBACK TO SAVEPOINT b')).toEqual(['START TRANSACTION', 'SAVEPOINT a', 'SAVEPOINT b']);
    expect(openAfter(open, 'ROLLBACK TO a')).toEqual(['START TRANSACTION', 'SAVEPOINT a']);
    expect(openAfter(open, 'rollback to savepoint c;')).toEqual(open);
  });

  it('a savepoint of the same name again: RELEASE and ROLLBACK TO act on the latest, as PostgreSQL does', () => {
    const open = ['START TRANSACTION', 'SAVEPOINT a', 'SAVEPOINT b', 'SAVEPOINT a'];
    expect(openAfter(open, 'RELEASE SAVEPOINT a')).toEqual(['START TRANSACTION', 'SAVEPOINT a', 'SAVEPOINT b']);
    expect(openAfter(open, 'ROLLBACK TO SAVEPOINT a')).toEqual(open);
  });

  it('COMMIT, ROLLBACK and END close everything', () => {
    const open = ['START TRANSACTION', 'SAVEPOINT a'];
    expect(openAfter(open, 'COMMIT')).toEqual([]);
    expect(openAfter(open, 'ROLLBACK')).toEqual([]);
    expect(openAfter(open, 'END;')).toEqual([]);
    expect(openAfter(open, 'rollback')).toEqual([]);
  });

  it('anything else leaves what is open as it was (a new array)', () => {
    const open = ['START TRANSACTION', 'SAVEPOINT a'];
    const after = openAfter(open, 'SELECT 1');
    expect(after).toEqual(open);
    expect(after).not.toBe(open);
    expect(openAfter([], 'SELECT * FROM "information_schema"."tables"')).toEqual([]);
  });
});

describe('questionKey', () => {
  it('is the same for the same text and parameters, no parameters being none', () => {
    expect(questionKey('SELECT $1', ['a'])).toBe(questionKey('SELECT $1', ['a']));
    expect(questionKey('SELECT 1')).toBe(questionKey('SELECT 1', []));
  });

  it('differs for different parameters, or different text', () => {
    expect(questionKey('SELECT $1', ['a'])).not.toBe(questionKey('SELECT $1', ['b']));
    expect(questionKey('SELECT $1', [['a', 'b']])).not.toBe(questionKey('SELECT $1', [['a'], ['b']]));
    expect(questionKey('SELECT $1', [1])).not.toBe(questionKey('SELECT $1', ['1']));
    expect(questionKey('SELECT 1')).not.toBe(questionKey('SELECT 2'));
    // Text and parameters are kept apart: moving characters from one to the other is another question.
    expect(questionKey('SELECT $1', ['x'])).not.toBe(questionKey('SELECT $1"x', []));
  });
});

describe('readShadowAnswers and saveShadowAnswers', () => {
  // A migrations folder of its own: the answers file is named after it, in the tool's cache of this node_modules.
  const folder = `/shadow-answers-spec/${process.pid}-${randomBytes(6).toString('hex')}/migrations`;
  const name = createHash('sha256').update(folder).digest('hex').slice(0, 16);
  const file = packageCacheFile('@electric-sql/pglite', (version) => `answers-${version}-${name}.bin`);

  afterEach(() => {
    if (file) rmSync(file, { force: true });
  });

  it('finds the cache file where the answers are kept', () => {
    expect(file).toBeDefined();
    expect(file).toMatch(/[\\/]node_modules[\\/]\.cache[\\/]nx-typeorm-migrations[\\/]answers-[^\\/]+-[0-9a-f]{16}\.bin$/);
  });

  it('gives back what was saved for the same state, dates and arrays included', () => {
    const at = new Date(Date.UTC(2026, 11, 3, 12, 30, 0, 250));
    const recorded: [string, Answer][] = [
      [questionKey('SELECT now()'), { command: 'SELECT', rowCount: 1, rows: [{ at, labels: ['a', 'b'], n: 1, none: null }] }],
      [questionKey('SELECT $1', [['x', 'y']]), { command: 'SELECT', rowCount: 0, rows: [] }],
      [questionKey('SHOW server_version'), { command: 'SHOW', rowCount: null, rows: [{ server_version: '17.5' }] }],
    ];
    const answers: Answers = new Map(recorded.map(([key, answer]) => [key, serialize(answer)]));
    expect(saveShadowAnswers(folder, 'state 1', answers)).toBe(true);
    expect(existsSync(file!)).toBe(true);

    const read = readShadowAnswers(folder, 'state 1');
    expect([...read.keys()]).toEqual(recorded.map(([key]) => key));
    expect([...read].map(([key, bytes]) => [key, deserialize(bytes)])).toEqual(recorded);
    const row = (deserialize(read.get(questionKey('SELECT now()'))!) as Answer).rows[0] as { at: Date; labels: string[] };
    expect(Object.prototype.toString.call(row.at)).toBe('[object Date]');
    expect(row.at.getTime()).toBe(at.getTime());
    expect(Array.isArray(row.labels)).toBe(true);
    expect(row.labels).toEqual(['a', 'b']);
  });

  it('gives an empty map for a file of another state, and none at all', () => {
    expect(readShadowAnswers(folder, 'state 1')).toEqual(new Map());
    const answers: Answers = new Map([[questionKey('SELECT 1'), serialize({ command: 'SELECT', rowCount: 1, rows: [{ '?column?': 1 }] })]]);
    expect(saveShadowAnswers(folder, 'state 1', answers)).toBe(true);
    expect(readShadowAnswers(folder, 'state 1').size).toBe(1);
    expect(readShadowAnswers(folder, 'state 2')).toEqual(new Map());
    // Saving another state's answers replaces the first's.
    expect(saveShadowAnswers(folder, 'state 2', new Map())).toBe(true);
    expect(readShadowAnswers(folder, 'state 1')).toEqual(new Map());
    expect(readShadowAnswers(folder, 'state 2')).toEqual(new Map());
  });

  it('gives an empty map for a damaged file', () => {
    expect(writeCacheFile(file!, Buffer.from('not what v8 serializes'))).toBe(true);
    expect(readShadowAnswers(folder, 'state 1')).toEqual(new Map());
    const answers: Answers = new Map([[questionKey('SELECT 1'), serialize({ command: 'SELECT', rowCount: 1, rows: [] })]]);
    expect(saveShadowAnswers(folder, 'state 1', answers)).toBe(true);
    // Cut short: a write that stopped half way.
    const whole = readFileSync(file!);
    expect(writeCacheFile(file!, whole.subarray(0, Math.floor(whole.length / 2)))).toBe(true);
    expect(readShadowAnswers(folder, 'state 1')).toEqual(new Map());
  });

  it('gives an empty map for a file of the same state whose answers are not each kept serialized (an earlier form)', () => {
    // As written before answers were kept serialized one by one: the same state key (the tool's version unchanged).
    const answer: Answer = { command: 'SELECT', rowCount: 1, rows: [{ one: 1 }] };
    expect(writeCacheFile(file!, serialize({ key: 'state 1', entries: [[questionKey('SELECT 1'), answer]] }))).toBe(true);
    expect(readShadowAnswers(folder, 'state 1')).toEqual(new Map());
  });
});
