import { InvalidTargetError } from './errors';
import { isValidName, parseTarget } from './target';

describe('parseTarget', () => {
  it.each([
    ['head', { kind: 'head', text: 'head' }],
    ['heads', { kind: 'heads', text: 'heads' }],
    ['base', { kind: 'base', text: 'base' }],
    ['+1', { kind: 'relative', text: '+1', steps: 1 }],
    ['-3', { kind: 'relative', text: '-3', steps: -3 }],
    ['+12', { kind: 'relative', text: '+12', steps: 12 }],
    ['3f2a9c1b7d4e', { kind: 'revision', text: '3f2a9c1b7d4e', reference: '3f2a9c1b7d4e' }],
    ['3f2a', { kind: 'revision', text: '3f2a', reference: '3f2a' }],
    ['auth', { kind: 'revision', text: 'auth', reference: 'auth' }],
    ['add_users_2', { kind: 'revision', text: 'add_users_2', reference: 'add_users_2' }],
    ['3f2a+2', { kind: 'revision-relative', text: '3f2a+2', reference: '3f2a', steps: 2 }],
    ['3f2a9c1b7d4e-1', { kind: 'revision-relative', text: '3f2a9c1b7d4e-1', reference: '3f2a9c1b7d4e', steps: -1 }],
    ['auth@head', { kind: 'label-head', text: 'auth@head', label: 'auth' }],
    ['auth@base', { kind: 'label-base', text: 'auth@base', label: 'auth' }],
    ['auth@+2', { kind: 'label-relative', text: 'auth@+2', label: 'auth', steps: 2 }],
    ['auth@-1', { kind: 'label-relative', text: 'auth@-1', label: 'auth', steps: -1 }],
    ['  head  ', { kind: 'head', text: 'head' }],
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
    'auth@heads',
    'auth@1',
    'auth@+0',
    'auth@x@head',
    'head@head',
    'base+1',
    'heads-1',
    'add users',
    'rev.1',
    'ünïcode',
    '+99999999999999999999',
  ])('rejects %j and names the accepted forms', (text) => {
    const error = captureError(() => parseTarget(text));
    expect(error).toBeInstanceOf(InvalidTargetError);
    expect(error).toMatchObject({ code: 'invalid-target', text: text.trim() });
    expect(error.message).toContain(`'${text.trim()}' is not a valid target`);
    for (const form of [
      'head',
      'heads',
      'base',
      '+N',
      '-N',
      'at least 4 characters',
      'REV+N',
      'REV-N',
      'LABEL@head',
      'LABEL@base',
      'LABEL@+N',
      'LABEL@-N',
    ]) {
      expect(error.message).toContain(form);
    }
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
