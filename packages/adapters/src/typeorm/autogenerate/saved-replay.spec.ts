import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keepNewest, replayKeys } from './saved-replay';

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

describe('keepNewest', () => {
  it('keeps the newest saved shadows and nothing else of the folder is touched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ntm-saved-'));
    try {
      for (let index = 0; index < 4; index += 1) {
        const file = join(dir, `shadow-1.0.0-${index}.bin`);
        writeFileSync(file, 'x');
        utimesSync(file, new Date(1000 * index), new Date(1000 * index));
      }
      writeFileSync(join(dir, 'pglite-1.0.0-initdb.tar.gz'), 'x');
      keepNewest(dir, 2);
      expect(readdirSync(dir).sort()).toEqual(['pglite-1.0.0-initdb.tar.gz', 'shadow-1.0.0-2.bin', 'shadow-1.0.0-3.bin']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
