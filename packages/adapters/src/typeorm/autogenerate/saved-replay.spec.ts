import { replayKeys } from './saved-replay';

describe('replayKeys', () => {
  const steps = [
    { revision: 'a1', checksum: 'c1' },
    { revision: 'b2', checksum: 'c2' },
    { revision: 'c3', checksum: 'c3' },
  ];

  it('gives each prefix of the steps its own key, the same for the same prefix', () => {
    const keys = replayKeys(steps, 'salt');
    expect(new Set(keys).size).toBe(3);
    expect(replayKeys(steps.slice(0, 2), 'salt')).toEqual(keys.slice(0, 2));
  });

  it('changes the key of an edited migration and of every one after it, not before', () => {
    const keys = replayKeys(steps, 'salt');
    const edited = replayKeys([steps[0], { revision: 'b2', checksum: 'edited' }, steps[2]], 'salt');
    expect(edited[0]).toBe(keys[0]);
    expect(edited[1]).not.toBe(keys[1]);
    expect(edited[2]).not.toBe(keys[2]);
  });

  it('depends on the salt (tool version, data source)', () => {
    expect(replayKeys(steps, 'other')[0]).not.toBe(replayKeys(steps, 'salt')[0]);
  });
});
