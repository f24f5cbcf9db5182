// Prometheus metrics of an app on each dialect: the statistics gauge follows writes (and never the cache),
// requests are labelled by route pattern, the pool and the cache are measured, /metrics is served.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { RedisCache } from '../../src/cache/redis-cache.js';
import { loadConfig } from '../../src/config.js';
import { startMetricsServer, type MetricsServer } from '../../src/metrics/metrics-server.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { DeploymentsStore } from '../../src/store/deployments.store.js';
import { StoreDatabase } from '../../src/store/database.js';
import { StatsStore } from '../../src/store/stats.store.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { REDIS_AVAILABLE } from '../helpers/redis.js';
import { REDIS_URI } from '../helpers/servers.js';
import { captureLogs } from '../helpers/test-app.js';

const prefix = `versions-test-${randomBytes(4).toString('hex')}:`;
const env = { workload: 'teamM', platform: 'production', environment: 'eu' };

interface Sample {
  labels: Partial<Record<string, string | number>>;
  value: number;
}

// The cache's gauge and health check are part of what is measured: without Redis the suite is skipped.
describe.skipIf(!REDIS_AVAILABLE).each(DIALECTS)('metrics on %s', (dialect) => {
  let database: TestDatabase;
  let storeDatabase: StoreDatabase;
  let store: DeploymentsStore;
  let cache: RedisCache;
  let metrics: Metrics;
  let app: FastifyInstance;
  let server: MetricsServer;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const { logger } = captureLogs();
    storeDatabase = await StoreDatabase.open(database.config, logger, 5);
    store = new DeploymentsStore(storeDatabase);
    cache = new RedisCache({ uri: REDIS_URI, logger, keyPrefix: `${prefix}${dialect}:` });
    expect(await cache.waitUntilReady(5000)).toBe(true);
    metrics = new Metrics({ stats: new StatsStore(storeDatabase), logger, redisUp: () => cache.up });
    const config = { ...loadConfig({ APP_METRICS_PORT: '0' }), database: database.config };
    app = await buildApp({
      config,
      database: storeDatabase,
      logger,
      cache,
      healthChecks: [cache.healthCheck],
      metrics,
    });
    await app.ready();
    server = await startMetricsServer(metrics, { host: '127.0.0.1', port: 0, logger });
  });

  afterAll(async () => {
    await server?.close();
    await app?.close();
    await cache?.close();
    await storeDatabase?.close();
    await database?.drop();
    const admin = new Redis(REDIS_URI);
    await admin.del(`${prefix}${dialect}:generation`);
    admin.disconnect();
  });

  const get = (url: string, query: Record<string, string> = {}) => app.inject({ method: 'GET', url, query });
  const create = (version: string, status: string) =>
    app.inject({ method: 'POST', url: '/api/v1/create', payload: { ...env, version, status } });

  async function samples(name: string): Promise<Sample[]> {
    const metric = metrics.registry.getSingleMetric(name);
    if (!metric) throw new Error(`no metric ${name}`);
    return (await metric.get()).values.map(({ labels, value }) => ({ labels: { ...labels }, value }));
  }

  /** The gauge as rows shaped like /stats/latest, in the same order. */
  async function gaugeAsStats() {
    const rows = (await samples('versions_last_deployments_by_status')).map(({ labels, value }) => ({
      total: value,
      workload: labels.workload,
      platform: labels.platform,
      environment: labels.environment,
      status: labels.status,
      date: labels.date,
    }));
    return rows.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  }
  async function statsLatest() {
    const reply = await get('/api/v1/stats/latest');
    if (reply.statusCode === 204) return [];
    const rows = reply.json<Array<Record<string, unknown>>>();
    return rows.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  }

  it('computes the statistics gauge when scraped, equal to /stats/latest, following every write', async () => {
    expect(await gaugeAsStats()).toEqual([]);
    await create('1.0.0', 'deployed');
    const ongoing = (await create('1.1.0', 'ongoing')).json<{ versionId: number }>().versionId;
    const today = new Date().toISOString().slice(0, 10);
    expect(await gaugeAsStats()).toEqual(await statsLatest());
    expect(await gaugeAsStats()).toEqual([
      { total: 1, ...env, status: 'deployed', date: today },
      { total: 1, ...env, status: 'ongoing', date: today },
    ]);

    await app.inject({
      method: 'POST',
      url: '/api/v1/update/status',
      payload: { versionId: ongoing, status: 'failed' },
    });
    // The ongoing series is gone, not left at its last value.
    expect(await gaugeAsStats()).toEqual([
      { total: 1, ...env, status: 'deployed', date: today },
      { total: 1, ...env, status: 'failed', date: today },
    ]);
    expect(await gaugeAsStats()).toEqual(await statsLatest());
  });

  it('reads the gauge from the database, never from the cache', async () => {
    const cached = await statsLatest();
    // Behind the cache's back: /stats/latest keeps its cached answer, the scrape sees the new row.
    await store.create({
      ...env,
      version: '1.2.0',
      status: 'completed',
      changelog_url: 'N/A',
      raw: 'N/A',
      date: new Date(),
    });
    expect(await statsLatest()).toEqual(cached);
    const gauge = await gaugeAsStats();
    expect(gauge.map((row) => row.status)).toEqual(['completed', 'deployed', 'failed']);
  });

  it('counts and times requests by route pattern, method and status code', async () => {
    await get('/api/v1/read/raw/id', { versionId: '1' });
    await get('/api/v1/read/raw/id', { versionId: '2' });
    await get('/api/v1/read/environment', { ...env, page: '1', rangeLimit: '5' });
    await get('/api/v1/no/such/endpoint/12345');
    const text = await metrics.scrape();

    const byId = { method: 'GET', route: '/api/v1/read/raw/id', status_code: '200' };
    const requests = await samples('versions_http_requests_total');
    expect(requests.find((sample) => matches(sample, byId))?.value).toBe(2);
    const unmatched = requests.find((sample) => sample.labels.route === 'unmatched');
    expect(unmatched?.labels).toMatchObject({ method: 'GET', status_code: '404' });

    const durations = await samples('versions_http_request_duration_seconds');
    const count = durations.find((sample) => matches(sample, byId) && sample.labels.le === '+Inf');
    expect(count?.value).toBe(2);
    expect(text).toMatch(
      /versions_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/api\/v1\/read\/environment",status_code="200"\}/,
    );
    // No raw URL, id or query string ever becomes a label value.
    expect(text).not.toMatch(/route="[^"]*(\?|versionId|12345|teamM)/);
  });

  it('counts cache hits and misses', async () => {
    const before = await cacheReads();
    await get('/api/v1/read/distinct/workloads');
    await get('/api/v1/read/distinct/workloads');
    const after = await cacheReads();
    expect(after.miss - before.miss).toBe(1);
    expect(after.hit - before.hit).toBe(1);
    expect(await samples('versions_redis_up')).toEqual([{ labels: {}, value: 1 }]);
  });

  it('reports the database pool', async () => {
    const pool = await samples('versions_db_pool_connections');
    expect(pool.map((sample) => sample.labels.state).sort()).toEqual(['idle', 'in_use']);
    for (const sample of pool) expect(sample.value).toBeGreaterThanOrEqual(0);
    expect(pool.reduce((sum, sample) => sum + sample.value, 0)).toBeGreaterThan(0);
  });

  it('serves the text format on its own port at /metrics, with the process metrics', async () => {
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'versions_http_requests_total',
      'versions_http_request_duration_seconds_bucket',
      'versions_cache_reads_total',
      'versions_db_pool_connections',
      'versions_redis_up',
      'versions_last_deployments_by_status',
    ]) {
      expect(text, name).toContain(`\n${name}`);
    }
    expect(text).toMatch(
      /versions_last_deployments_by_status\{workload="teamM",platform="production",environment="eu",status="completed",date="\d{4}-\d\d-\d\d"\} 1/,
    );
    expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(server.url, { method: 'HEAD' })).status).toBe(200);
  });

  async function cacheReads() {
    const values = await samples('versions_cache_reads_total');
    const count = (result: string) => values.find((sample) => sample.labels.result === result)?.value ?? 0;
    return { hit: count('hit'), miss: count('miss') };
  }
});

function matches(sample: Sample, labels: Record<string, string>): boolean {
  return Object.entries(labels).every(([name, value]) => sample.labels[name] === value);
}
