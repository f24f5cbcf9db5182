// A PostgreSQL whose socket goes silent (a frozen server, a network that drops packets without a reset): the
// query watchdog must fail the query instead of letting it wait forever, and the pool must recover.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, postgresDialect } from '../../src/store/dialects/postgres.js';
import type { StoreConnection } from '../../src/store/dialects/dialect.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { captureLogs } from '../helpers/test-app.js';

/** A TCP proxy to PostgreSQL that can stop forwarding bytes, both ways, without closing anything. */
class FreezableProxy {
  frozen = false;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => {
      const upstream = createConnection(target);
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.sockets.add(from);
        from.on('data', (chunk) => {
          if (!this.frozen) to.write(chunk);
        });
        from.on('close', () => to.destroy());
        from.on('error', () => to.destroy());
      }
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe.skipIf(!DIALECTS.includes('postgres'))('the PostgreSQL query watchdog', () => {
  let database: TestDatabase;
  let proxy: FreezableProxy;
  let connection: StoreConnection;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const uri = new URL(database.config.dialect === 'postgres' ? database.config.connectionString : '');
    proxy = new FreezableProxy({ host: uri.hostname, port: Number(uri.port || 5432) });
    uri.port = String(await proxy.listen());
    connection = openPostgres(uri.toString(), captureLogs().logger);
  });

  afterAll(async () => {
    await connection?.close().catch(() => undefined);
    await proxy?.close();
    await database?.drop();
  });

  it('fails a query whose answer never comes, as "unavailable", within the watchdog limit', async () => {
    await sql`SELECT 1`.execute(connection.db);
    proxy.frozen = true;
    const started = Date.now();
    const error = await sql`SELECT 1`.execute(connection.db).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    const waited = Date.now() - started;
    expect(error).toBeInstanceOf(Error);
    expect(postgresDialect.errors.isUnavailable(error)).toBe(true);
    // QUERY_TIMEOUT_MS is 15 s and the watchdog sweeps once a second; the server-side statement_timeout
    // (10 s) cannot help, since the server never sees the query.
    expect(waited).toBeGreaterThanOrEqual(14_000);
    expect(waited).toBeLessThan(20_000);
  }, 30_000);

  it('answers again on a fresh connection once the network is back', async () => {
    proxy.frozen = false;
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(connection.db);
    expect(rows).toEqual([{ one: 1 }]);
  });
});
