// The real server process as configured by its environment: APP_METRICS_PORT serves /metrics, REDIS_ENABLED
// plugs the cache and its health check in, SIGTERM closes both; APP_METRICS_PORT=0 serves nothing.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_AVAILABLE } from '../helpers/redis.js';
import { REDIS_URI } from '../helpers/servers.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { freePort } from '../cache/private-redis.js';

// The server's keys have no per-test prefix: a database number of this file's own keeps them apart.
const REDIS_DB = 11;
const redisUri = (() => {
  const url = new URL(REDIS_URI);
  url.pathname = `/${REDIS_DB}`;
  return url.toString();
})();

describe.skipIf(!REDIS_AVAILABLE)('the server process with Redis and metrics on', () => {
  let server: ServerProcess;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    server = await startServerProcess({
      APP_METRICS_PORT: String(metricsPort),
      REDIS_ENABLED: 'true',
      REDIS_URI: redisUri,
    });
  });

  afterAll(async () => {
    await server?.stop();
    const admin = new Redis(redisUri);
    await admin.del('versions:generation');
    admin.disconnect();
  });

  const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();

  it('logs where Redis and the metrics are', () => {
    expect(listeningLine(server)).toMatchObject({
      redis: redisUri,
      metrics: expect.stringMatching(new RegExp(`:${metricsPort}/metrics$`)),
    });
  });

  it('checks Redis in /healthz and serves the gauge on the metrics port', async () => {
    // Redis connects in the background (the service starts without it): wait until it reports OK.
    await expect
      .poll(
        async () => {
          const healthz = await fetch(`${server.url}/api/v1/healthz`);
          expect(healthz.status).toBe(200);
          return healthz.json();
        },
        { timeout: 5000, interval: 100 },
      )
      .toEqual({ status: { sqlite: 'OK', redis: 'OK' } });

    const created = await fetch(`${server.url}/api/v1/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workload: 'teamP', platform: 'prod', environment: 'eu', version: '1.0.0' }),
    });
    expect(created.status).toBe(201);
    await fetch(`${server.url}/api/v1/read/home`);
    await fetch(`${server.url}/api/v1/read/home`);

    const text = await scrape();
    expect(text).toMatch(
      /versions_last_deployments_by_status\{workload="teamP",platform="prod",environment="eu",status="deployed",date="[\d-]+"\} 1/,
    );
    expect(text).toMatch(
      /versions_http_requests_total\{method="POST",route="\/api\/v1\/create",status_code="201"\} 1/,
    );
    expect(text).toMatch(/versions_cache_reads_total\{result="hit"\} [1-9]/);
    expect(text).toContain('versions_redis_up 1');
  });

  it('stops the metrics server and Redis client on SIGTERM', async () => {
    await server.stop();
    expect(server.logs.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    await expect(scrape()).rejects.toThrow();
  });
});

describe('the server process with APP_METRICS_PORT=0', () => {
  it('serves no metrics and says so', async () => {
    const server = await startServerProcess({ APP_METRICS_PORT: '0' });
    try {
      expect(listeningLine(server)).toMatchObject({ redis: 'disabled', metrics: 'disabled' });
    } finally {
      await server.stop();
    }
  });
});

function listeningLine(server: ServerProcess): Record<string, unknown> | undefined {
  for (const line of server.logs) {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === 'versions is listening') return entry;
    } catch {
      // not a JSON line
    }
  }
  return undefined;
}
