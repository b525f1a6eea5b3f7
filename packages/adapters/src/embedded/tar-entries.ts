/**
 * A cluster's files as PGlite's `dumpDataDir` writes them (a ustar tarball), with some files left out.
 *
 * After a checkpoint PostgreSQL keeps the write-ahead log segments it has used, recycled as the next ones (16 MB each,
 * their old contents in them): at 1,000 tables two of the three segments of a saved shadow, a quarter of its files,
 * read, unzipped and loaded at every start for nothing. PostgreSQL creates a missing next segment when it needs one,
 * as it does after deleting surplus ones itself.
 */

const BLOCK = 512;

/**
 * `tar` without the entries whose path `drop` accepts; `tar` itself when it holds anything but plain ustar headers
 * (long names, extended headers) or cannot be read, so that a surprise costs only the space.
 */
export function withoutTarEntries(tar: Buffer, drop: (path: string) => boolean): Buffer {
  const kept: Buffer[] = [];
  let dropped = false;
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) {
      if (!dropped) return tar;
      kept.push(tar.subarray(offset));
      return Buffer.concat(kept);
    }
    if (text(header, 257, 262) !== 'ustar' || !['0', '5', '\0'].includes(text(header, 156, 157) || '\0')) return tar;
    const size = parseInt(text(header, 124, 136).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) return tar;
    const length = BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (offset + length > tar.length) return tar;
    const prefix = text(header, 345, 500);
    const name = text(header, 0, 100);
    if (drop(prefix ? `${prefix}/${name}` : name)) dropped = true;
    else kept.push(tar.subarray(offset, offset + length));
    offset += length;
  }
  return tar;
}

/** A write-ahead log segment after `current` (`pg_walfile_name(pg_current_wal_lsn())`): one recycled for later use. */
export function isLaterWalSegment(path: string, current: string): boolean {
  const segment = /(?:^|\/)pg_wal\/([0-9A-F]{24})$/.exec(path)?.[1];
  return segment !== undefined && /^[0-9A-F]{24}$/.test(current) && segment > current;
}

function text(block: Buffer, start: number, end: number): string {
  const field = block.subarray(start, end);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? field.length : nul).toString('latin1');
}
