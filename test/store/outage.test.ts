// A database that is not up yet, then goes away and comes back: start-up waits, requests fail fast
// with 503 meanwhile, and the service recovers by itself without losing an acknowledged write.
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { StoreDatabase } from '../../src/store/database.js';
import { DIALECTS } from '../helpers/databases.js';
import { createPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { captureLogs } from '../helpers/test-app.js';

describe.runIf(DIALECTS.includes('postgres'))('PostgreSQL outage', () => {
  let server: PrivatePostgres | undefined;
  let app: FastifyInstance | undefined;
  let database: StoreDatabase | undefined;
  afterAll(async () => {
    await app?.close();
    await database?.close();
    server?.destroy();
  });

  it('waits for the database at start-up, answers 503 while it is away, recovers when it returns', async () => {
    server = await createPrivatePostgres();
    const { lines, logger } = captureLogs();
    const config = { database: { dialect: 'postgres' as const, connectionString: server.uri } };

    // Start-up before the server is up: retried with back-off and a log line per try.
    const opening = StoreDatabase.open(config.database, logger, 60);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    server.start();
    database = await opening;
    const retries = lines.filter((line) => line.msg === 'database not reachable yet, retrying');
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries[0]).toMatchObject({ attempt: 1, database: expect.stringContaining(`:${server.port}/`) });

    app = await buildApp({ config: { ...loadConfig({}), ...config }, database, logger });
    const create = (version: string) =>
      app!.inject({
        method: 'POST',
        url: '/api/v1/create',
        payload: { workload: 'w', platform: 'p', environment: 'e', version },
      });
    const acknowledged: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await create(`before-${i}`);
      expect(response.statusCode).toBe(201);
      acknowledged.push(response.json().versionId);
    }

    server.stop();
    const started = Date.now();
    const during = await create('during');
    expect(during.statusCode).toBe(503);
    expect(during.json().error).toMatch(/database is unavailable/);
    const read = await app.inject({ method: 'GET', url: '/api/v1/read/home' });
    expect(read.statusCode).toBe(503);
    const healthz = await app.inject({ method: 'GET', url: '/api/v1/healthz' });
    expect(healthz.statusCode).toBe(500);
    expect(healthz.json()).toEqual({ status: { postgresql: 'NOT OK' } });
    expect(Date.now() - started).toBeLessThan(8000);

    server.start();
    // Until the pool reconnects, a create is refused with 503 (never acknowledged, never a 500).
    await expect
      .poll(
        async () => {
          const response = await create('after');
          if (response.statusCode === 201) acknowledged.push(response.json().versionId);
          return response.statusCode;
        },
        { timeout: 10_000, interval: 250 },
      )
      .toBe(201);
    expect((await app.inject({ method: 'GET', url: '/api/v1/healthz' })).statusCode).toBe(200);
    const rows = (
      await app.inject({ method: 'GET', url: '/api/v1/read/environment?workload=w&platform=p&environment=e' })
    ).json() as Array<{ versions_id: number }>;
    expect(rows.map((row) => row.versions_id).sort((a, b) => a - b)).toEqual(acknowledged);
  });
});
