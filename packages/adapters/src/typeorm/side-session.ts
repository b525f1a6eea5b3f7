import type { QueryRunner } from 'typeorm';

/**
 * A second session to the database a query runner is connected to, for work that cannot wait for the run's own
 * session while a migration holds it: asking who blocks a step, renewing the lease of the migration lock.
 */
export interface SideSession {
  query(sql: string, parameters?: unknown[]): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}

interface PgClient extends SideSession {
  connect(): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * A client of the `pg` module TypeORM loaded, with the connection settings of its pool (which holds the run's one
 * connection), so TLS, the password and `application_name` are the run's own.
 */
export async function openSideSession(queryRunner: QueryRunner): Promise<SideSession> {
  const driver = queryRunner.connection.driver as unknown as {
    postgres: { Client: new (options: Record<string, unknown>) => PgClient };
    master: { options: Record<string, unknown> };
  };
  const client = new driver.postgres.Client({ ...driver.master.options });
  // A server that drops this session must not take the run with it.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** The local port of the query runner's socket (undefined over a Unix socket or before it connects). */
export function localPortOf(queryRunner: QueryRunner): number | undefined {
  const client = (queryRunner as unknown as { databaseConnection?: { connection?: { stream?: { localPort?: number } } } })
    .databaseConnection;
  return client?.connection?.stream?.localPort;
}
