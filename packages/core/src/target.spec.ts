import { InvalidTargetError } from './errors';
import { isValidName, parseTarget, parseTargets, type ParsedTarget } from './target';
import { userWords } from '../../testing/src/user-words';

describe('parseTarget', () => {
  const target = (text: string, branch: string | null, anchor: ParsedTarget['anchor'], steps = 0) => ({
    text,
    branch,
    anchor,
    steps,
  });
  const revision = (reference: string) => ({ kind: 'revision', reference }) as const;

  it.each([
    ['head', target('head', null, { kind: 'head' })],
    ['heads', target('heads', null, { kind: 'heads' })],
    ['base', target('base', null, { kind: 'base' })],
    ['+1', target('+1', null, { kind: 'applied' }, 1)],
    ['-3', target('-3', null, { kind: 'applied' }, -3)],
    ['+12', target('+12', null, { kind: 'applied' }, 12)],
    ['3f2a9c1b7d4e', target('3f2a9c1b7d4e', null, revision('3f2a9c1b7d4e'))],
    ['3f2a', target('3f2a', null, revision('3f2a'))],
    ['auth', target('auth', null, revision('auth'))],
    ['0002', target('0002', null, revision('0002'))],
    ['add_users_2', target('add_users_2', null, revision('add_users_2'))],
    ['3f2a+2', target('3f2a+2', null, revision('3f2a'), 2)],
    ['3f2a9c1b7d4e-1', target('3f2a9c1b7d4e-1', null, revision('3f2a9c1b7d4e'), -1)],
    ['head-2', target('head-2', null, { kind: 'head' }, -2)],
    ['base+3', target('base+3', null, { kind: 'base' }, 3)],
    ['auth@head', target('auth@head', 'auth', { kind: 'head' })],
    ['auth@heads', target('auth@heads', 'auth', { kind: 'heads' })],
    ['auth@base', target('auth@base', 'auth', { kind: 'base' })],
    ['auth@+2', target('auth@+2', 'auth', { kind: 'applied' }, 2)],
    ['auth@-1', target('auth@-1', 'auth', { kind: 'applied' }, -1)],
    ['auth@3f2a', target('auth@3f2a', 'auth', revision('3f2a'))],
    ['auth@1', target('auth@1', 'auth', revision('1'))],
    ['auth@head-1', target('auth@head-1', 'auth', { kind: 'head' }, -1)],
    ['auth@base+2', target('auth@base+2', 'auth', { kind: 'base' }, 2)],
    ['auth@3f2a-1', target('auth@3f2a-1', 'auth', revision('3f2a'), -1)],
    ['3f2a@-1', target('3f2a@-1', '3f2a', { kind: 'applied' }, -1)],
    ['3f2a@head', target('3f2a@head', '3f2a', { kind: 'head' })],
    ['3f2a@base', target('3f2a@base', '3f2a', { kind: 'base' })],
    ['3f2a@9c1b', target('3f2a@9c1b', '3f2a', revision('9c1b'))],
    ['  head  ', target('head', null, { kind: 'head' })],
  ])('reads %j', (text, expected) => {
    expect(parseTarget(text)).toEqual(expected);
  });

  it.each([
    '',
    '+',
    '-',
    '+0',
    '-0',
    '1.5',
    '+x',
    'a-b',
    'abc-',
    '@head',
    'auth@',
    'auth@+0',
    'auth@x@head',
    'head@head',
    'base@-1',
    'add users',
    'rev.1',
    'ünïcode',
    '+99999999999999999999',
    'a,b',
  ])('rejects %j and names the accepted forms', (text) => {
    const error = captureError(() => parseTarget(text));
    expect(error).toBeInstanceOf(InvalidTargetError);
    expect(error).toMatchObject({ code: 'INVALID_TARGET', text: text.trim() });
    expect(userWords(error)).toContain(`'${text.trim()}' is not a valid target`);
    for (const form of [
      'head',
      'heads',
      'base',
      '+N',
      '-N',
      'at least 4 characters',
      'REV+N',
      'REV-N',
      'head-N',
      'base+N',
      'LABEL@head',
      'LABEL@base',
      'LABEL@-N',
      'LABEL@REV',
      'LABEL@head-N',
      'LABEL@base+N',
      'REV@',
    ]) {
      expect(userWords(error)).toContain(form);
    }
  });
});

describe('parseTargets', () => {
  it('reads a comma-separated list, each as parseTarget does', () => {
    expect(parseTargets('c3, a3')).toEqual([parseTarget('c3'), parseTarget('a3')]);
    expect(parseTargets('lib@head')).toEqual([parseTarget('lib@head')]);
  });

  it.each(['', 'c3,', ',c3', 'c3,,a3'])('rejects the empty item in %j', (text) => {
    expect(captureError(() => parseTargets(text))).toBeInstanceOf(InvalidTargetError);
  });
});

describe('isValidName', () => {
  it('accepts letters, digits and underscores', () => {
    expect(['a', 'A9_', '3f2a9c1b7d4e', 'heads_up', 'baseline'].map(isValidName)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it('refuses the grammar words and other characters', () => {
    expect(['head', 'heads', 'base', '', 'a-b', 'a@b', 'a b', 'é'].map(isValidName)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

function captureError(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, none was thrown');
}
