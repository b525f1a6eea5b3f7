import { isLaterWalSegment, withoutTarEntries } from './tar-entries';

/** A ustar entry as PGlite writes one: header, then the contents padded to 512 bytes. */
function entry(path: string, contents = '', type = contents ? '0' : '5'): Buffer {
  const header = Buffer.alloc(512);
  header.write(path, 0, 'latin1');
  header.write(contents.length.toString(8).padStart(11, '0'), 124, 'latin1');
  header.write(type, 156, 'latin1');
  header.write('ustar\u000000', 257, 'latin1');
  const body = Buffer.alloc(Math.ceil(contents.length / 512) * 512);
  body.write(contents, 0, 'latin1');
  return Buffer.concat([header, body]);
}

const END = Buffer.alloc(1024);

describe('withoutTarEntries', () => {
  const tar = Buffer.concat([
    entry('/pg_wal'),
    entry('/pg_wal/000000010000000000000003', 'current'.repeat(100)),
    entry('/pg_wal/000000010000000000000004', 'recycled'),
    entry('/base/5/1259', 'x'.repeat(600)),
    entry('/pg_wal/000000010000000000000005', 'recycled'),
    END,
  ]);

  it('leaves out the log segments after the current one, and keeps everything else byte for byte', () => {
    const kept = withoutTarEntries(tar, (path) => isLaterWalSegment(path, '000000010000000000000003'));
    expect(kept).toEqual(
      Buffer.concat([entry('/pg_wal'), entry('/pg_wal/000000010000000000000003', 'current'.repeat(100)), entry('/base/5/1259', 'x'.repeat(600)), END]),
    );
    expect(withoutTarEntries(tar, (path) => isLaterWalSegment(path, '000000010000000000000005'))).toBe(tar);
  });

  it('returns the tarball as it is when it holds what it does not read (long names), or is none', () => {
    const long = Buffer.concat([entry('././@LongLink', 'a'.repeat(120), 'L'), entry('/pg_wal/000000010000000000000009', 'x'), END]);
    expect(withoutTarEntries(long, () => true)).toBe(long);
    const notTar = Buffer.from('not a tarball'.repeat(100));
    expect(withoutTarEntries(notTar, () => true)).toBe(notTar);
  });
});

describe('isLaterWalSegment', () => {
  it('is a segment file of pg_wal named after the current one', () => {
    expect(isLaterWalSegment('/pg_wal/000000010000000000000004', '000000010000000000000003')).toBe(true);
    expect(isLaterWalSegment('pg_wal/000000010000000000000003', '000000010000000000000003')).toBe(false);
    expect(isLaterWalSegment('/pg_wal/000000010000000000000002', '000000010000000000000003')).toBe(false);
    expect(isLaterWalSegment('/pg_wal/archive_status', '000000010000000000000003')).toBe(false);
    expect(isLaterWalSegment('/base/5/000000010000000000000009', '000000010000000000000003')).toBe(false);
    expect(isLaterWalSegment('/pg_wal/000000010000000000000009', '')).toBe(false);
  });
});
