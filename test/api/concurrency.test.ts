// Concurrent writers and two replicas on one database lose nothing.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { StoreDatabase } from '../../src/store/database.js';
import { createTestDatabase, databaseEnv, DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { startServerProcesses, type ServerProcess } from '../helpers/server-process.js';

/** A replica: a real server process, driven over HTTP. */
function client(server: ServerProcess) {
  return {
    async post(path: string, payload: unknown) {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
      return { statusCode: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async get(path: string) {
      const response = await fetch(`${server.url}${path}`);
      return (await response.json()) as Array<Record<string, unknown>> & Record<string, unknown>;
    },
  };
}

describe.each(DIALECTS)('concurrent writes on %s, two replicas', (dialect) => {
  let database: TestDatabase;
  let servers: ServerProcess[] = [];
  let store: StoreDatabase;
  let replicaA: ReturnType<typeof client>;
  let replicaB: ReturnType<typeof client>;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    servers = await startServerProcesses(2, databaseEnv(database.config));
    [replicaA, replicaB] = servers.map(client) as [ReturnType<typeof client>, ReturnType<typeof client>];
    store = await StoreDatabase.open(database.config, createLogger('silent'), 5);
  });
  afterAll(async () => {
    await store?.close();
    for (const server of servers) await server.stop();
    await database?.drop();
  });

  it('stores 400 parallel creates from two replicas into one environment: 400 rows, distinct ids', async () => {
    const key = { workload: 'load', platform: 'p', environment: 'e' };
    const responses = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        (i % 2 ? replicaA : replicaB).post('/api/v1/create', {
          ...key,
          version: `1.0.${i}`,
          status: i % 3 ? 'deployed' : 'ongoing',
        }),
      ),
    );
    expect(responses.map((response) => response.statusCode)).toEqual(Array(400).fill(201));
    const ids = responses.map((response) => response.body.versionId as number);
    expect(new Set(ids).size).toBe(400);

    const db = store.db;
    const count = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM versions`.execute(db);
    expect(Number(count.rows[0]?.n)).toBe(400);
    const history = await sql<{
      n: number | string;
    }>`SELECT COUNT(*) AS n FROM versions_status_history`.execute(db);
    expect(Number(history.rows[0]?.n)).toBe(400);
    const page = await replicaB.get(
      `/api/v1/read/environment?${new URLSearchParams({ ...key, rangeLimit: '1' })}`,
    );
    expect(page[0]?.total).toBe(400);
  });

  it('applies parallel status changes from both replicas, each one recorded', async () => {
    const key = { workload: 'status', platform: 'p', environment: 'e' };
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await replicaA.post('/api/v1/create', { ...key, version: `${i}`, status: 'ongoing' });
      ids.push(response.body.versionId as number);
    }
    const updates = await Promise.all(
      ids.flatMap((versionId, i) => [
        replicaA.post('/api/v1/update/status', { versionId, status: 'deployed' }),
        replicaB.post('/api/v1/update/status', { versionId, status: i % 2 ? 'failed' : 'deployed' }),
      ]),
    );
    expect(updates.map((response) => response.statusCode)).toEqual(Array(40).fill(200));
    for (const versionId of ids) {
      const row = await replicaB.get(`/api/v1/read/raw/id?versionId=${versionId}`);
      expect(['deployed', 'failed']).toContain(row.status);
      const history = await sql<{
        status: string;
      }>`SELECT status FROM versions_status_history WHERE versions_id = ${versionId} ORDER BY id`.execute(
        store.db,
      );
      expect(history.rows[0]?.status).toBe('ongoing');
      expect(history.rows.at(-1)?.status).toBe(row.status);
    }
  });
});
