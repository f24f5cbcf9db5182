// Redis is an accelerator, never a dependency: a private redis-server is killed, frozen and restarted under a
// running app, which keeps answering every request quickly and uses Redis again once it is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../src/cache/redis-cache.js';
import { DIALECTS } from '../helpers/databases.js';
import { REDIS_AVAILABLE } from '../helpers/redis.js';
import { captureLogs, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createPrivateRedis, type PrivateRedis } from './private-redis.js';

const dialect = DIALECTS.includes('postgres') ? 'postgres' : 'sqlite';
const env = { workload: 'teamY', platform: 'staging', environment: 'integration' };
const COMMAND_TIMEOUT_MS = 200;
/**
 * What one request may take when Redis misbehaves: one command time-out, plus slack for a busy CI machine;
 * far below Redis's connect time-out or a wait for a reconnection.
 */
const SLOW_REQUEST_MS = COMMAND_TIMEOUT_MS + 800;

const READS: Array<[string, Record<string, string>]> = [
  ['/api/v1/read/home', {}],
  ['/api/v1/read/environment', env],
  ['/api/v1/read/platform', { workload: env.workload, platform: env.platform }],
  ['/api/v1/read/environment/latest', env],
  ['/api/v1/read/environment/latest/whatever', env],
  ['/api/v1/read/distinct/workloads', {}],
  ['/api/v1/read/raw', { ...env, version: '1.0.0' }],
  ['/api/v1/read/raw/id', { versionId: '1' }],
  ['/api/v1/stats/latest', {}],
];

describe.runIf(REDIS_AVAILABLE)(`the app on ${dialect} while its Redis dies, freezes and comes back`, () => {
  let redis: PrivateRedis;
  let cache: RedisCache;
  let t: TestApp;
  let logs: Array<Record<string, unknown>>;
  let nextVersion = 0;

  beforeAll(async () => {
    redis = await createPrivateRedis();
    await redis.start();
    const captured = captureLogs();
    logs = captured.lines;
    cache = new RedisCache({ uri: redis.uri, logger: captured.logger, commandTimeoutMs: COMMAND_TIMEOUT_MS });
    expect(await cache.waitUntilReady(5000)).toBe(true);
    t = await createTestApp(dialect, { deps: { cache, healthChecks: [cache.healthCheck] } });
    expect((await create('1.0.0')).statusCode).toBe(201);
  });

  afterAll(async () => {
    redis?.thaw();
    await t?.close();
    await cache?.close();
    await redis?.kill();
  });

  const get = (url: string, query: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, query });
  function create(version: string) {
    return t.app.inject({ method: 'POST', url: '/api/v1/create', payload: { ...env, version } });
  }
  const healthz = async () => {
    const reply = await get('/api/v1/healthz');
    return { code: reply.statusCode, status: reply.json<{ status: Record<string, string> }>().status };
  };
  const homeVersion = async () =>
    (await get('/api/v1/read/home')).json<Array<{ version: string }>>()[0]?.version;
  /** Written to the database only, with no invalidation: still seeing the old answer proves a cache hit. */
  const writeBehindTheCache = async () => {
    const version = `9.0.${nextVersion++}`;
    await t.store.create({
      ...env,
      version,
      status: 'deployed',
      changelog_url: 'N/A',
      raw: 'N/A',
      date: new Date(),
    });
    return version;
  };

  /** Every read endpoint, each answered (not 5xx) within `limitMs`; returns the slowest time. */
  async function readEverything(limitMs: number): Promise<number> {
    let slowest = 0;
    for (const [url, query] of READS) {
      const started = performance.now();
      const reply = await get(url, query);
      const elapsed = performance.now() - started;
      expect(reply.statusCode, `${url}: ${reply.body}`).toBe(200);
      expect(elapsed, url).toBeLessThan(limitMs);
      slowest = Math.max(slowest, elapsed);
    }
    return slowest;
  }

  it('caches while Redis is up', async () => {
    expect(await healthz()).toEqual({
      code: 200,
      status: { [t.storeDatabase.dialect.healthName]: 'OK', redis: 'OK' },
    });
    const cached = await homeVersion();
    await writeBehindTheCache();
    expect(await homeVersion()).toBe(cached);
  });

  it('answers every request from the database, quickly, once Redis is killed', async () => {
    await redis.kill();
    await expect.poll(() => cache.up, { timeout: 2000 }).toBe(false);
    // The row written behind the cache shows: these answers come from the database.
    const behind = await writeBehindTheCache();
    expect(await homeVersion()).toBe(behind);
    for (let round = 0; round < 5; round++) await readEverything(SLOW_REQUEST_MS);

    const write = await create('1.1.0');
    expect(write.statusCode).toBe(201);
    expect(await homeVersion()).toBe('1.1.0');

    const health = await healthz();
    // Redis is an accelerator: reported, but the service is still ready (200).
    expect(health).toEqual({
      code: 200,
      status: { [t.storeDatabase.dialect.healthName]: 'OK', redis: 'NOT OK' },
    });
    const warnings = logs.filter(
      (line) => line.msg === 'redis is unavailable: reads go to the database meanwhile',
    );
    expect(warnings).toHaveLength(1); // one line for the outage, not one per reconnection attempt
  });

  it('uses Redis again once it restarts, without a restart of the app', async () => {
    await redis.start();
    await expect
      .poll(async () => (await healthz()).status.redis === 'OK' && cache.up, { timeout: 10_000 })
      .toBe(true);
    expect(await healthz()).toEqual({
      code: 200,
      status: { [t.storeDatabase.dialect.healthName]: 'OK', redis: 'OK' },
    });
    const cached = await homeVersion();
    await writeBehindTheCache();
    expect(await homeVersion()).toBe(cached);
    // ...and a write through the API is seen at once.
    expect((await create('1.2.0')).statusCode).toBe(201);
    expect(await homeVersion()).toBe('1.2.0');
  });

  it('answers within one command time-out while Redis is frozen, and is fresh when it wakes', async () => {
    await homeVersion(); // cached
    redis.freeze();
    const started = performance.now();
    for (let round = 0; round < 5; round++) await readEverything(SLOW_REQUEST_MS);
    const elapsed = performance.now() - started;
    // 45 requests: only the first, then one probe every circuitOpenMs, wait for a time-out. Without the
    // circuit breaker every one of them would (45 × 200 ms = 9 s).
    expect(elapsed).toBeLessThan(5000);

    const writeStarted = performance.now();
    expect((await create('1.3.0')).statusCode).toBe(201);
    expect(performance.now() - writeStarted).toBeLessThan(SLOW_REQUEST_MS);
    expect(await homeVersion()).toBe('1.3.0');
    expect((await healthz()).status.redis).toBe('NOT OK');

    redis.thaw();
    await expect
      .poll(async () => (await healthz()).status.redis === 'OK' && cache.up, { timeout: 10_000 })
      .toBe(true);
    expect(await homeVersion()).toBe('1.3.0');
    const cached = await homeVersion();
    await writeBehindTheCache();
    expect(await homeVersion()).toBe(cached);
  });
});
