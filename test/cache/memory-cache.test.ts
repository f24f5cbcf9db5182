// Two replicas on one SQLite file or one PostgreSQL database, each with the in-process read cache and its
// real change feed: a write anywhere (the other replica, plain SQL) is seen at once on SQLite and within
// milliseconds on PostgreSQL; a lost feed turns the cache off until it is back.
import SQLite from 'better-sqlite3';
import { setImmediate } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChangeFeed } from '../../src/cache/change-feeds.js';
import { MemoryCache } from '../../src/cache/memory-cache.js';
import { DIALECTS, createTestDatabase, withPostgres, type TestDatabase } from '../helpers/databases.js';
import { POSTGRES_ADMIN_URI } from '../helpers/servers.js';
import { captureLogs, createTestApp, type TestApp } from '../helpers/test-app.js';

const env = { workload: 'teamX', platform: 'production', environment: 'eu-west' };
const READS: Array<[string, Record<string, string>]> = [
  ['/api/v1/read/home', {}],
  ['/api/v1/read/environment', env],
  ['/api/v1/read/environment/latest/whatever', env],
  ['/api/v1/stats/latest', {}],
];

for (const dialect of DIALECTS.filter((name) => name !== 'mysql')) {
  describe(`the in-process read cache on ${dialect}, two replicas`, () => {
    let database: TestDatabase;
    let a: TestApp;
    let b: TestApp;
    let cacheB: MemoryCache;
    const caches: MemoryCache[] = [];

    async function replica(): Promise<[TestApp, MemoryCache]> {
      // As in server.ts: the store (which creates a SQLite file) first, then the feed.
      const feed = { current: undefined as MemoryCache | undefined };
      const app = await createTestApp(dialect, {
        database,
        deps: {
          cache: {
            read: (key, load) => feed.current!.read(key, load),
            invalidate: () => feed.current!.invalidate(),
          },
        },
      });
      const changes = await openChangeFeed(database.config, captureLogs().logger);
      expect(changes).toBeDefined();
      const cache = new MemoryCache({ feed: changes! });
      feed.current = cache;
      caches.push(cache);
      return [app, cache];
    }

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      [a] = await replica();
      [b, cacheB] = await replica();
    });

    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
      await Promise.all(caches.map((cache) => cache.close()));
      await database?.drop();
    });

    const create = (app: TestApp, version: string) =>
      app.app.inject({ method: 'POST', url: '/api/v1/create', payload: { ...env, version } });
    const snapshot = (app: TestApp) =>
      Promise.all(READS.map(async ([url, query]) => (await app.app.inject({ url, query })).body));
    const newestOn = async (app: TestApp) =>
      (await app.app.inject({ url: '/api/v1/read/environment/latest/whatever', query: env })).json().version;

    it('serves repeated reads from memory', async () => {
      expect((await create(a, '1.0.0')).statusCode).toBe(201);
      await expect.poll(() => newestOn(b)).toBe('1.0.0');
      await snapshot(b);
      expect(cacheB.size).toBeGreaterThanOrEqual(READS.length);
    });

    it("shows the other replica's write on every cached read", async () => {
      const before = await snapshot(b);
      expect((await create(a, '1.1.0')).statusCode).toBe(201);
      const started = Date.now();
      // SQLite: data_version is checked before every read, so the very next read is fresh.
      if (dialect === 'sqlite') expect(await newestOn(b)).toBe('1.1.0');
      await expect.poll(() => newestOn(b), { timeout: 2000, interval: 5 }).toBe('1.1.0');
      const after = await snapshot(b);
      for (let i = 0; i < READS.length; i += 1) expect(after[i], READS[i]![0]).not.toBe(before[i]);
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('shows its own write at the very next read', async () => {
      await snapshot(b);
      expect((await create(b, '1.2.0')).statusCode).toBe(201);
      expect(await newestOn(b)).toBe('1.2.0');
    });

    it('shows a row written with plain SQL, by no replica', async () => {
      await snapshot(b);
      const insert =
        "INSERT INTO versions (workload, platform, environment, version, changelog_url, raw, status, date) VALUES ('teamX', 'production', 'eu-west', '9.9.9', '', '', 'deployed', $1)";
      if (database.config.dialect === 'sqlite') {
        const connection = new SQLite(database.config.file);
        connection.prepare(insert.replace('$1', '?')).run(new Date().toISOString());
        connection.close();
        // The reads of one turn of the event loop share one data_version question, and a request always
        // arrives in a turn after the commit it follows; inject() runs in this one, so a turn is awaited.
        await setImmediate();
        expect(await newestOn(b)).toBe('9.9.9');
      } else {
        const uri = database.config.dialect === 'postgres' ? database.config.connectionString : '';
        await withPostgres(uri, (client) => client.query(insert, [new Date()]));
        await expect.poll(() => newestOn(b), { timeout: 2000, interval: 5 }).toBe('9.9.9');
      }
    });

    it.runIf(dialect === 'postgres')(
      'bypasses the cache while its feed is lost, and uses it again once back',
      async () => {
        const name =
          database.config.dialect === 'postgres'
            ? new URL(database.config.connectionString).pathname.slice(1)
            : '';
        await withPostgres(POSTGRES_ADMIN_URI, (client) =>
          client.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN versions_changes'",
            [name],
          ),
        );
        // Lost: every read goes to the database (the writes the feed missed are seen).
        await expect.poll(() => cacheB.size, { timeout: 2000 }).toBe(0);
        expect((await create(a, '2.0.0')).statusCode).toBe(201);
        expect(await newestOn(b)).toBe('2.0.0');
        // Back after the reconnect: cached again, and fresh.
        await expect
          .poll(async () => (await snapshot(b), cacheB.size), { timeout: 5000, interval: 100 })
          .toBeGreaterThan(0);
        expect((await create(a, '2.1.0')).statusCode).toBe(201);
        await expect.poll(() => newestOn(b), { timeout: 2000, interval: 5 }).toBe('2.1.0');
      },
    );
  });
}

describe.runIf(DIALECTS.includes('mysql'))('the in-process read cache on MySQL/MariaDB', () => {
  it('is not offered: the database cannot tell replicas about changes', async () => {
    const database = await createTestDatabase('mysql');
    try {
      expect(await openChangeFeed(database.config, captureLogs().logger)).toBeUndefined();
    } finally {
      await database.drop();
    }
  });
});
