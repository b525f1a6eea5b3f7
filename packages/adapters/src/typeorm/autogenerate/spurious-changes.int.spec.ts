import 'reflect-metadata';
import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../../../testing/src/databases';
import { connectDataSourceTo, diffSchema } from '../schema-diff';

enum Currency {
  Eur = 'EUR',
  Usd = 'USD',
}

@Entity({ name: 'spurious_price' })
class Price {
  @PrimaryGeneratedColumn() id!: number;
  @Column('numeric', { precision: 12, scale: 4, default: 1.5 }) ratio!: string;
  @Column({ type: 'enum', enum: Currency, enumName: 'spurious_currency' }) currency!: Currency;
}

@Entity({ name: 'spurious_invoice' })
class Invoice {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'enum', enum: Currency, enumName: 'spurious_currency' }) currency!: Currency;
}

// The integration project's testTimeout is not applied per project by Jest; a fresh PGlite alone can take 5 s.
jest.setTimeout(120_000);

/** Each case: TypeORM's raw builder output shows the defect, and `diffSchema` does not. */
describe.each(DATABASE_KINDS)('spurious changes TypeORM reports, suppressed, on %s', (kind) => {
  let database: TestDatabase;
  let connected: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const user = new DataSource({ type: 'postgres', url: 'postgres://app@db.invalid/app', entities: [Price, Invoice] });
    connected = await connectDataSourceTo(user, database.url);
  });
  afterAll(async () => {
    await connected?.destroy();
    await database?.drop();
  });

  it('a named enum shared by two new tables: TypeORM creates the type twice, we once', async () => {
    const raw = await connected.driver.createSchemaBuilder().log();
    const creates = (sqls: string[]) => sqls.filter((sql) => sql.startsWith('CREATE TYPE "public"."spurious_currency"'));
    expect(creates(raw.upQueries.map((query) => query.query))).toHaveLength(2);

    const difference = await diffSchema(connected);
    expect(creates(difference.up.map((statement) => statement.sql))).toHaveLength(1);
    for (const statement of difference.up) await connected.query(statement.sql, statement.parameters as unknown[]);
  });

  it('a numeric default 1.5: TypeORM proposes SET DEFAULT again after every apply, we report no change', async () => {
    const raw = await connected.driver.createSchemaBuilder().log();
    expect(raw.upQueries.map((query) => query.query)).toEqual([
      `ALTER TABLE "spurious_price" ALTER COLUMN "ratio" SET DEFAULT '1.5'`,
    ]);
    expect(await diffSchema(connected)).toEqual({ up: [], down: [] });
  });
});
