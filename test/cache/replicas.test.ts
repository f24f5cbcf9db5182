// Two replicas of the app on one PostgreSQL database and one Redis: a write on either is visible on the other
// at the very next read, on every cached endpoint.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../src/cache/redis-cache.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { REDIS_AVAILABLE } from '../helpers/redis.js';
import { REDIS_URI } from '../helpers/servers.js';
import { captureLogs, createTestApp, type TestApp } from '../helpers/test-app.js';

const prefix = `versions-test-${randomBytes(4).toString('hex')}:`;
const env = { workload: 'teamX', platform: 'production', environment: 'eu-west' };

/** Every cached read endpoint, with the query that reaches the deployments written below. */
const READS: Array<[string, Record<string, string>]> = [
  ['/api/v1/read/home', {}],
  ['/api/v1/read/environment', env],
  ['/api/v1/read/platform', { workload: env.workload, platform: env.platform }],
  ['/api/v1/read/environment/latest', env],
  ['/api/v1/read/environment/latest/whatever', env],
  ['/api/v1/read/distinct/workloads', {}],
  ['/api/v1/read/raw', { ...env, version: '1.0.0' }],
  ['/api/v1/stats/latest', {}],
];

const testable = DIALECTS.includes('postgres') && REDIS_AVAILABLE;

describe.runIf(testable)('two replicas on one PostgreSQL and one Redis', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  const caches: RedisCache[] = [];

  async function replica(): Promise<TestApp> {
    const cache = new RedisCache({ uri: REDIS_URI, logger: captureLogs().logger, keyPrefix: prefix });
    caches.push(cache);
    expect(await cache.waitUntilReady(5000)).toBe(true);
    return createTestApp('postgres', { database, deps: { cache, healthChecks: [cache.healthCheck] } });
  }

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    a = await replica();
    b = await replica();
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all(caches.map((cache) => cache.close()));
    await database?.drop();
    const admin = new Redis(REDIS_URI);
    await admin.del(`${prefix}generation`);
    admin.disconnect();
  });

  const get = (app: TestApp, url: string, query: Record<string, string> = {}) =>
    app.app.inject({ method: 'GET', url, query });
  const snapshot = (app: TestApp) =>
    Promise.all(READS.map(async ([url, query]) => (await get(app, url, query)).body));

  it('reports Redis in /healthz', async () => {
    const healthz = await get(a, '/api/v1/healthz');
    expect(healthz.statusCode).toBe(200);
    expect(healthz.json()).toEqual({ status: { postgresql: 'OK', redis: 'OK' } });
  });

  it('serves repeated reads from Redis', async () => {
    const created = await b.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      payload: { ...env, version: '1.0.0', raw: '{"build":1}' },
    });
    expect(created.statusCode).toBe(201);
    const warm = await snapshot(a);

    // Written behind the service's back (no invalidation): both replicas keep answering from the cache,
    // which shows they read Redis and not the database.
    await a.store.create({
      ...env,
      version: '9.9.9',
      status: 'deployed',
      changelog_url: 'N/A',
      raw: 'N/A',
      date: new Date(),
    });
    expect(await snapshot(a)).toEqual(warm);
    expect(await snapshot(b)).toEqual(warm);
  });

  it('answers fresh on A right after a create on B, on every endpoint', async () => {
    const before = await snapshot(a);
    const created = await b.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      payload: { ...env, version: '1.1.0', status: 'ongoing', raw: '{"build":2}' },
    });
    expect(created.statusCode).toBe(201);
    const { versionId } = created.json<{ versionId: number }>();

    const home = (await get(a, '/api/v1/read/home')).json<Array<{ versions_id: number }>>();
    expect(home[0]?.versions_id).toBe(versionId);
    const page = (await get(a, '/api/v1/read/environment', env)).json<
      Array<{ total: number; version: string }>
    >();
    expect(page[0]).toMatchObject({ version: '1.1.0', total: 3 });
    const platform = (await get(a, '/api/v1/read/platform', env)).json<Array<{ version: string }>>();
    expect(platform[0]?.version).toBe('1.1.0');
    expect((await get(a, '/api/v1/read/environment/latest/whatever', env)).json()).toEqual({
      version: '1.1.0',
    });
    // Still ongoing: the newest successful one is the 9.9.9 written behind the cache's back.
    expect((await get(a, '/api/v1/read/environment/latest', env)).json()).toEqual({ version: '9.9.9' });
    const stats = (await get(a, '/api/v1/stats/latest')).json<Array<{ status: string; total: number }>>();
    expect(stats.find((row) => row.status === 'ongoing')?.total).toBe(1);
    const raw = await get(a, '/api/v1/read/raw', { ...env, version: '1.1.0' });
    expect(raw.json()).toEqual({ raw: '{"build":2}' });
    expect(await snapshot(a)).not.toEqual(before);
  });

  it('answers fresh on A right after a status change on B', async () => {
    const created = await a.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      payload: { ...env, version: '1.2.0', status: 'ongoing' },
    });
    const { versionId } = created.json<{ versionId: number }>();
    const byId = { versionId: String(versionId) };
    // Warm every read on A, including the row itself.
    await snapshot(a);
    expect((await get(a, '/api/v1/read/raw/id', byId)).json()).toMatchObject({ status: 'ongoing' });

    const updated = await b.app.inject({
      method: 'POST',
      url: '/api/v1/update/status',
      payload: { versionId, status: 'deployed' },
    });
    expect(updated.statusCode).toBe(200);

    expect((await get(a, '/api/v1/read/raw/id', byId)).json()).toMatchObject({ status: 'deployed' });
    expect((await get(a, '/api/v1/read/environment/latest', env)).json()).toEqual({ version: '1.2.0' });
    const stats = (await get(a, '/api/v1/stats/latest')).json<Array<{ status: string; total: number }>>();
    expect(stats.filter((row) => row.status === 'ongoing').map((row) => row.total)).toEqual([1]);
  });

  it('stays fresh under interleaved writes and reads on both replicas', async () => {
    for (let round = 0; round < 20; round++) {
      const [writer, reader] = round % 2 === 0 ? [a, b] : [b, a];
      await get(reader, '/api/v1/read/environment/latest/whatever', env);
      const version = `2.0.${round}`;
      const created = await writer.app.inject({
        method: 'POST',
        url: '/api/v1/create',
        payload: { ...env, version, status: 'failed' },
      });
      expect(created.statusCode).toBe(201);
      expect((await get(reader, '/api/v1/read/environment/latest/whatever', env)).json()).toEqual({
        version,
      });
    }
  });
});
