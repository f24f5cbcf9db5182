// Issue 11, item 2: one read must not take hundreds of MB. List answers carry at most APP_ANSWER_LIMIT bytes
// of payloads: a page past it is a 400 naming rangeLimit (never cut short: pages would skip rows), the home
// list stops early. Checked on every database, then against a real server process's memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { processMemory, resetPeak } from './process-memory.js';

const KB = 1024;
const key = { workload: 'w', platform: 'p', environment: 'e' };

describe.each(DIALECTS)('APP_ANSWER_LIMIT on %s', (dialect) => {
  let t: TestApp;
  /** Oldest first: 10 payloads of 20 kB with small ones between them. */
  const raws = Array.from({ length: 20 }, (_, index) =>
    index % 2 === 0 ? `${index}`.padEnd(20 * KB, 'x') : `{"small":${index}}`,
  );
  beforeAll(async () => {
    t = await createTestApp(dialect, { env: { APP_ANSWER_LIMIT: String(64 * KB) } });
    for (const [index, raw] of raws.entries()) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/create',
        payload: {
          ...key,
          version: `1.0.${index}`,
          raw,
          date: new Date(Date.UTC(2024, 0, 1, 0, index)).toISOString(),
        },
      });
      expect(response.statusCode, response.body).toBe(201);
    }
  });
  afterAll(() => t?.close());

  const page = (path: string, query: Record<string, string>) =>
    t.app.inject({ url: `/api/v1${path}?${new URLSearchParams({ ...key, ...query }).toString()}` });

  it('answers a page within the limit whole, large payloads included, newest first', async () => {
    const response = await page('/read/environment', { rangeLimit: '6' });
    expect(response.statusCode, response.body).toBe(200);
    const rows = response.json() as Array<{ raw: string; version: string; total: number }>;
    expect(rows.map((row) => row.raw)).toEqual(raws.slice(-6).reverse());
    expect(rows.map((row) => row.total)).toEqual([20, 20, 20, 20, 20, 20]);
  });

  it('refuses a page past the limit with a 400 naming rangeLimit and how many rows fit', async () => {
    for (const path of ['/read/environment', '/read/platform']) {
      const response = await page(path, { rangeLimit: '1000' });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error).toMatch(/^rangeLimit: .*APP_ANSWER_LIMIT.*the first 7 fit/);
    }
    const second = await page('/read/environment', { rangeLimit: '6', page: '2' });
    expect(second.statusCode).toBe(200);
    expect((second.json() as Array<{ raw: string }>).map((row) => row.raw)).toEqual(
      raws.slice(8, 14).reverse(),
    );
  });

  it('always answers one row, whatever its size', async () => {
    const big = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      payload: { ...key, environment: 'big', version: '9', raw: 'y'.repeat(100 * KB) },
    });
    expect(big.statusCode).toBe(201);
    const response = await page('/read/environment', { environment: 'big', rangeLimit: '1' });
    expect(response.statusCode).toBe(200);
    expect(response.json()[0].raw).toHaveLength(100 * KB);
  });

  it('stops the home list before the row that would pass the limit', async () => {
    const response = await t.app.inject({ url: '/api/v1/read/home' });
    expect(response.statusCode).toBe(200);
    const rows = response.json() as Array<{ raw: string }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.raw).toHaveLength(100 * KB);
  });
});

describe('a server process answering 121 rows of 1 MB', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ APP_BODY_LIMIT: String(2 * 1024 * KB) });
    const raw = 'r'.repeat(1000 * KB);
    for (let index = 0; index < 121; index++) {
      const response = await fetch(`${server.url}/api/v1/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...key, version: `1.0.${index}`, raw }),
      });
      expect(response.status).toBe(201);
    }
  }, 120_000);
  afterAll(() => server?.stop());

  it('stays under twice its idle memory for rangeLimit=1000 and for the largest page allowed', async () => {
    const pid = server.process.pid as number;
    // Settle the heap the creates left behind before calling it idle.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idle = processMemory(pid).rssMb;
    resetPeak(pid);
    const url = (rangeLimit: number) =>
      `${server.url}/api/v1/read/environment?${new URLSearchParams({ ...key, rangeLimit: String(rangeLimit) }).toString()}`;
    const refused = await fetch(url(1000));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(/the first 16 fit/);
    const largest = await fetch(url(16));
    expect(largest.status).toBe(200);
    expect((await largest.arrayBuffer()).byteLength).toBeGreaterThan(16_000_000);
    const peak = processMemory(pid).peakMb;
    console.log(`answer limit: RSS ${idle.toFixed(0)} MB idle, peak ${peak.toFixed(0)} MB`);
    expect(peak).toBeLessThan(2 * idle);
  });
});
