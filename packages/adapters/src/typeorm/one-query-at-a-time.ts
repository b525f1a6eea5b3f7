import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Makes every query runner of `dataSource` send one query at a time. TypeORM 0.3 reads a schema with
 * `Promise.all` of several `query` calls on one runner (`PostgresQueryRunner.loadTables`, behind the schema builder
 * of autogenerate and `migrate-check`); pg 8 queues them itself but prints "Calling client.query() when the client is
 * already executing a query is deprecated" among our lines. Here each call waits for the one before it, which is
 * what pg's queue did anyway, without the noise. Returns `dataSource`.
 */
export function oneQueryAtATime<T extends DataSource>(dataSource: T): T {
  const createQueryRunner = dataSource.createQueryRunner.bind(dataSource);
  dataSource.createQueryRunner = ((...args: Parameters<DataSource['createQueryRunner']>) =>
    serializeQueries(createQueryRunner(...args))) as DataSource['createQueryRunner'];
  return dataSource;
}

function serializeQueries(queryRunner: QueryRunner): QueryRunner {
  const query = queryRunner.query.bind(queryRunner) as (...args: unknown[]) => Promise<unknown>;
  let previous: Promise<unknown> = Promise.resolve();
  queryRunner.query = ((...args: unknown[]) => {
    const result = previous.then(() => query(...args));
    previous = result.catch(() => undefined);
    return result;
  }) as QueryRunner['query'];
  return queryRunner;
}
