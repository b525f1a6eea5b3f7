import { Client } from 'pg';
import { createTestDatabase, DATABASE_KINDS } from './databases';

describe.each(DATABASE_KINDS)('test databases on %s', (kind) => {
  it('hands out a fresh, empty, writable database', async () => {
    const db = await createTestDatabase(kind);
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const tables = await client.query(
        "select count(*)::int as n from information_schema.tables where table_schema = 'public'",
      );
      expect(tables.rows[0].n).toBe(0);
      await client.query('create table probe (id int primary key)');
      await client.query('insert into probe values (1)');
      expect((await client.query('select id from probe')).rows).toEqual([{ id: 1 }]);
    } finally {
      await client.end();
      await db.drop();
    }
  });
});
