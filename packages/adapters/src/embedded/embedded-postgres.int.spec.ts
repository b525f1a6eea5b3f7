import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';
import { initdbCacheFile, startEmbeddedPostgres } from './embedded-postgres';

async function roundTrip(url: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE probe (id uuid DEFAULT gen_random_uuid() PRIMARY KEY, n int)');
    await client.query('INSERT INTO probe (n) VALUES (1), (2)');
    return (await client.query('SELECT n FROM probe ORDER BY n')).rows;
  } finally {
    await client.end();
  }
}

describe('in-memory embedded PostgreSQL', () => {
  const cache = initdbCacheFile()!;

  it('keeps a copy of a fresh cluster in node_modules/.cache and starts later databases from it', async () => {
    expect(cache).toMatch(/node_modules[/\\]\.cache[/\\]nx-typeorm-migrations[/\\]pglite-[\d.]+-initdb\.tar\.gz$/);
    const first = await startEmbeddedPostgres();
    await first.stop();
    expect(existsSync(cache)).toBe(true);
    const copy = readFileSync(cache);
    expect(copy.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const second = await startEmbeddedPostgres();
    try {
      expect(await roundTrip(second.url)).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      await second.stop();
    }
    // Each database is its own: the table of the second is not in the copy, so a third starts empty.
    const third = await startEmbeddedPostgres();
    try {
      expect(await roundTrip(third.url)).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      await third.stop();
    }
  });

  it('falls back to initdb, and writes a good copy again, when the copy is damaged', async () => {
    writeFileSync(cache, 'not a tarball');
    const db = await startEmbeddedPostgres();
    try {
      expect(await roundTrip(db.url)).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      await db.stop();
    }
    expect(statSync(cache).size).toBeGreaterThan(100_000);
  });
});
