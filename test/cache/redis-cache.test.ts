// The Redis read cache on its own, against the machine's Redis (keys under a prefix of this file's own).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/cache/circuit-breaker.js';
import { RedisCache, type RedisCacheOptions } from '../../src/cache/redis-cache.js';
import { captureLogs } from '../helpers/test-app.js';
import { REDIS_AVAILABLE } from '../helpers/redis.js';
import { REDIS_URI } from '../helpers/servers.js';
import { freePort } from './private-redis.js';

const prefix = `versions-test-${randomBytes(4).toString('hex')}:`;
// Lazy: without Redis (a laptop, skipped suite) it never tries to connect.
const admin = new Redis(REDIS_URI, { lazyConnect: true });
const caches: RedisCache[] = [];

async function cacheOn(uri: string, options: Partial<RedisCacheOptions> = {}) {
  const { logger, lines } = captureLogs();
  const cache = new RedisCache({ uri, logger, keyPrefix: prefix, ...options });
  caches.push(cache);
  return { cache, lines };
}

/** A loader that counts its calls. */
function loader<T>(value: T) {
  const load = async () => {
    load.calls += 1;
    return value;
  };
  load.calls = 0;
  return load;
}

afterEach(async () => {
  await Promise.all(caches.splice(0).map((cache) => cache.close()));
});

afterAll(async () => {
  if (!REDIS_AVAILABLE) return;
  // Test clean-up only: the service itself never scans keys.
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  admin.disconnect();
});

describe.skipIf(!REDIS_AVAILABLE)('RedisCache', () => {
  let cache: RedisCache;
  beforeAll(async () => {
    await admin.ping();
  });

  it('answers a second read from Redis, and every read after a write from the loader', async () => {
    ({ cache } = await cacheOn(REDIS_URI));
    expect(await cache.waitUntilReady(5000)).toBe(true);
    const value = { rows: [{ versions_id: 1, date: '2024-01-01T00:00:00.000Z' }], total: 1 };
    const load = loader(value);
    expect(await cache.read('["home"]', load)).toEqual(value);
    expect(await cache.read('["home"]', load)).toEqual(value);
    expect(load.calls).toBe(1);

    await cache.invalidate();
    await cache.read('["home"]', load);
    expect(load.calls).toBe(2);
    await cache.read('["home"]', load);
    expect(load.calls).toBe(2);
  });

  it('caches "nothing found" too', async () => {
    ({ cache } = await cacheOn(REDIS_URI));
    await cache.waitUntilReady(5000);
    const load = loader(undefined);
    expect(await cache.read('["id",999]', load)).toBeUndefined();
    expect(await cache.read('["id",999]', load)).toBeUndefined();
    expect(load.calls).toBe(1);
  });

  it('never caches a value loaded before a write under the generation after it', async () => {
    ({ cache } = await cacheOn(REDIS_URI));
    await cache.waitUntilReady(5000);
    // The read starts, a write lands (and invalidates) while the database query runs, then the read
    // finishes with what it saw before the write.
    const stale = await cache.read('["latest"]', async () => {
      await cache.invalidate();
      return 'before the write';
    });
    expect(stale).toBe('before the write');
    expect(await cache.read('["latest"]', async () => 'after the write')).toBe('after the write');
  });

  it('sees the writes of another replica at once', async () => {
    const [{ cache: a }, { cache: b }] = await Promise.all([cacheOn(REDIS_URI), cacheOn(REDIS_URI)]);
    await Promise.all([a.waitUntilReady(5000), b.waitUntilReady(5000)]);
    expect(await a.read('["env"]', async () => 1)).toBe(1);
    expect(await a.read('["env"]', async () => 2)).toBe(1);
    await b.invalidate();
    expect(await a.read('["env"]', async () => 3)).toBe(3);
  });

  it('does not cache values larger than maxValueBytes', async () => {
    ({ cache } = await cacheOn(REDIS_URI, { maxValueBytes: 1000 }));
    await cache.waitUntilReady(5000);
    const big = loader('x'.repeat(2000));
    await cache.read('["raw"]', big);
    await cache.read('["raw"]', big);
    expect(big.calls).toBe(2);
  });

  it('seeds a lost generation from the clock, never from 0 where old values may still live', async () => {
    ({ cache } = await cacheOn(REDIS_URI));
    await cache.waitUntilReady(5000);
    await cache.invalidate();
    const before = Number(await admin.get(`${prefix}generation`));
    expect(before).toBeGreaterThan(1_600_000_000_000_000);
    await cache.read('["home"]', async () => 'cached before the eviction');
    await admin.del(`${prefix}generation`); // as an allkeys-lru eviction would
    expect(await cache.read('["home"]', async () => 'fresh')).toBe('fresh');
    expect(Number(await admin.get(`${prefix}generation`))).toBeGreaterThan(before);
  });

  it('reports its health', async () => {
    ({ cache } = await cacheOn(REDIS_URI));
    await cache.waitUntilReady(5000);
    expect(cache.healthCheck.name).toBe('redis');
    await expect(cache.healthCheck.check()).resolves.toBeUndefined();
  });

  it('reads from the loader at once, and writes do not fail, when Redis is unreachable', async () => {
    const { cache: down, lines } = await cacheOn(`redis://127.0.0.1:${await freePort()}`);
    const started = Date.now();
    expect(await down.read('["home"]', async () => 'from the database')).toBe('from the database');
    await expect(down.invalidate()).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(100);
    await expect(down.healthCheck.check()).rejects.toThrow();
    expect(down.up).toBe(false);
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('accepts the password and database number of the URI', async () => {
    // The shared Redis has no password; a database number other than 0 shows the URI is honoured.
    const url = new URL(REDIS_URI);
    url.pathname = '/3';
    ({ cache } = await cacheOn(url.toString()));
    await cache.waitUntilReady(5000);
    await cache.invalidate();
    const db3 = new Redis(url.toString());
    try {
      expect(await db3.exists(`${prefix}generation`)).toBe(1);
      await db3.del(`${prefix}generation`);
    } finally {
      db3.disconnect();
    }
  });
});

describe('CircuitBreaker', () => {
  it('opens on failure, lets one probe through after the pause, closes on success', () => {
    let now = 0;
    const breaker = new CircuitBreaker(1000, () => now);
    expect(breaker.allows()).toBe(true);
    breaker.failed();
    expect(breaker.isClosed).toBe(false);
    expect(breaker.allows()).toBe(false);
    now = 999;
    expect(breaker.allows()).toBe(false);
    now = 1000;
    expect(breaker.allows()).toBe(true); // the probe
    expect(breaker.allows()).toBe(false); // everyone else meanwhile
    breaker.failed();
    now = 1500;
    expect(breaker.allows()).toBe(false);
    now = 2000;
    expect(breaker.allows()).toBe(true);
    breaker.succeeded();
    expect(breaker.isClosed).toBe(true);
    expect(breaker.allows()).toBe(true);
    expect(breaker.allows()).toBe(true);
  });

  it('does not stay blocked by a probe that never reports', () => {
    let now = 0;
    const breaker = new CircuitBreaker(1000, () => now);
    breaker.failed();
    now = 1000;
    expect(breaker.allows()).toBe(true);
    now = 1999;
    expect(breaker.allows()).toBe(false);
    now = 2000;
    expect(breaker.allows()).toBe(true);
  });
});
