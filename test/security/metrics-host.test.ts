// Issue 11, item 8: the metrics port (no token, every workload name) listens where APP_METRICS_HOST says,
// so that it can stay on an internal address while the API is public.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

describe('APP_METRICS_HOST', () => {
  let server: ServerProcess;
  let metricsUrl: URL;
  beforeAll(async () => {
    server = await startServerProcess({
      APP_HOST: '127.0.0.1',
      APP_METRICS_HOST: '127.0.0.2',
      // Free on both addresses; APP_METRICS_PORT=0 would turn the endpoint off.
      APP_METRICS_PORT: String(await freePort('0.0.0.0')),
    });
    const listening = server.logs
      .map((line) => JSON.parse(line) as { msg?: string; metrics?: string })
      .find((entry) => entry.msg === 'versions is listening');
    metricsUrl = new URL(listening?.metrics ?? '');
  });
  afterAll(() => server?.stop());

  it('serves /metrics on that address only, and the API on APP_HOST', async () => {
    expect(metricsUrl.hostname).toBe('127.0.0.2');
    expect((await fetch(metricsUrl)).status).toBe(200);
    const onApiHost = new URL(metricsUrl);
    onApiHost.hostname = '127.0.0.1';
    await expect(fetch(onApiHost)).rejects.toThrow();
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200);
  });
});
