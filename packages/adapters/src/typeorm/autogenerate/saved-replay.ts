import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { packageCacheFile, writeCacheFile } from '../../fs/tool-cache';

/**
 * Autogenerate replays every migration into a fresh shadow database before comparing (about 2 s for 300 tables in
 * PGlite). The in-memory shadow's files after a replay are kept, one copy per migrations folder, under a key made of
 * the replayed migrations (revision and checksum, in order) and what else shapes the replay (the data source's
 * schema, this tool's version): the next generate starts from them and replays only the migrations added since.
 * An edited migration changes its checksum and every key from it on, so it is replayed again.
 */

export interface ReplayStep {
  readonly revision: string;
  readonly checksum: string;
}

/** `keys[i]`: the key of a shadow holding the first `i + 1` steps. */
export function replayKeys(steps: readonly ReplayStep[], salt: string): string[] {
  const hash = createHash('sha256').update(salt);
  return steps.map((step) => hash.update(`\n${step.revision} ${step.checksum}`).copy().digest('hex'));
}

export interface SavedReplay {
  /** How many of the steps the saved shadow holds. */
  readonly count: number;
  /**
   * The shadow's files (uncompressed tarball), unpacked on the first call (a tenth of a second at 300 tables, spared
   * when the shadow's recorded answers suffice); throws when the file is damaged.
   */
  dump(): Buffer;
}

/** The saved shadow of `folder` holding the longest prefix of the steps, if any. */
export function readSavedReplay(folder: string, keys: readonly string[]): SavedReplay | undefined {
  const file = savedReplayFile(folder);
  if (!file || keys.length === 0) return undefined;
  try {
    const saved = readFileSync(file);
    const newline = saved.indexOf(10);
    const key = saved.subarray(0, newline).toString('utf8');
    const count = keys.indexOf(key) + 1;
    if (count === 0) return undefined;
    let dump: Buffer | undefined;
    return { count, dump: () => (dump ??= gunzipSync(saved.subarray(newline + 1))) };
  } catch {
    return undefined;
  }
}

/** Keeps `dump` as the shadow of `folder` holding the steps up to `key` (the previous one is replaced). */
export function saveReplay(folder: string, key: string, dump: Buffer): boolean {
  const file = savedReplayFile(folder);
  if (!file) return false;
  const written = writeCacheFile(file, Buffer.concat([Buffer.from(`${key}\n`), gzipSync(dump, { level: 1 })]));
  if (written) keepNewest(dirname(file), KEPT_REPLAYS);
  return written;
}

/** Saved shadows kept in one cache folder (a few MB each); the least recently written go first. */
export const KEPT_REPLAYS = 8;

/**
 * Deletes all but the `count` newest saved shadows of `dir` (folders of projects long gone, temporary ones of tests),
 * or of the files `named` so.
 */
export function keepNewest(dir: string, count: number, named = /^shadow-.*\.bin$/): void {
  try {
    const saved = readdirSync(dir)
      .filter((name) => named.test(name))
      .map((name) => ({ path: join(dir, name), time: statSync(join(dir, name)).mtimeMs }))
      .sort((a, b) => b.time - a.time);
    for (const old of saved.slice(count)) rmSync(old.path, { force: true });
  } catch {
    // Another process pruning at the same time, or an unreadable folder: the cache only costs disk.
  }
}

function savedReplayFile(folder: string): string | undefined {
  const name = createHash('sha256').update(folder).digest('hex').slice(0, 16);
  return packageCacheFile('@electric-sql/pglite', (version) => `shadow-${version}-${name}.bin`);
}
