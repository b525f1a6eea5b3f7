import { InMemoryVersionStore, sqlLiteral, versionChangeStatements, versionTables } from './version-store';
import { inlineParameters } from './runner';

const entry = {
  revision: 'bbbb',
  direction: 'up' as const,
  message: "Add users' email",
  checksum: 'c'.repeat(64),
  startedAt: new Date('2026-11-25T10:00:00.000Z'),
  durationMs: 12.4,
  appliedBy: 'dev@laptop',
  toolVersion: '0.1.0',
};

describe('versionChangeStatements', () => {
  it('moves the head and logs the step, with literals a printed script can run', () => {
    expect(versionChangeStatements(versionTables(), { removeHeads: ['aaaa'], addHeads: ['bbbb'], entries: [entry] })).toEqual([
      `DELETE FROM "nx_migrations_version" WHERE "revision" IN ('aaaa')`,
      `INSERT INTO "nx_migrations_version" ("revision") VALUES ('bbbb')`,
      `INSERT INTO "nx_migrations_history" ("revision", "direction", "message", "checksum", "started_at", "duration_ms", ` +
        `"applied_by", "tool_version") VALUES ('bbbb', 'up', 'Add users'' email', '${'c'.repeat(64)}', ` +
        `'2026-11-25T10:00:00.000Z', 12, 'dev@laptop', '0.1.0')`,
    ]);
  });

  it("puts the tables in the data source's schema and lets a script record now()", () => {
    const [statement] = versionChangeStatements(versionTables('app"s'), {
      removeHeads: [],
      addHeads: [],
      entries: [{ ...entry, startedAt: undefined }],
    });
    expect(statement).toContain('INSERT INTO "app""s"."nx_migrations_history"');
    expect(statement).toContain("now(), 12, 'dev@laptop'");
  });
});

describe('sqlLiteral and inlineParameters', () => {
  it('quotes strings, keeps numbers, writes NULL', () => {
    expect([sqlLiteral("it's"), sqlLiteral(3), sqlLiteral(null)]).toEqual(["'it''s'", '3', 'NULL']);
  });

  it('replaces $N placeholders, $10 not mistaken for $1', () => {
    const parameters = ['a', 2, null, true, 5, 6, 7, 8, 9, "o'k"];
    expect(inlineParameters('SELECT $1, $2, $3, $4, $10, $11', parameters)).toBe(
      "SELECT 'a', 2, NULL, TRUE, 'o''k', $11",
    );
  });
});

describe('InMemoryVersionStore', () => {
  it('keeps heads and history like the PostgreSQL store', async () => {
    const store = new InMemoryVersionStore();
    expect(await store.readHeads()).toEqual([]);
    await store.ensureTables();
    expect(await store.hasHistory()).toBe(false);
    await store.record({ removeHeads: [], addHeads: ['aaaa'], entries: [{ ...entry, revision: 'aaaa' }] });
    await store.record({ removeHeads: ['aaaa'], addHeads: ['bbbb'], entries: [entry] });
    expect(await store.readHeads()).toEqual(['bbbb']);
    expect((await store.readHistory()).map((recorded) => recorded.revision)).toEqual(['aaaa', 'bbbb']);
    expect(await store.hasHistory()).toBe(true);
    await store.record({ removeHeads: ['bbbb'], addHeads: ['aaaa'], entries: [{ ...entry, direction: 'down', checksum: 'x' }] });
    expect((await store.recordedChecksums()).get('bbbb')).toBe('c'.repeat(64));
    await expect(store.record({ removeHeads: [], addHeads: ['aaaa'], entries: [] })).rejects.toThrow(/duplicate key/);
    await store.purgeHeads();
    expect(await store.readHeads()).toEqual([]);
  });
});
