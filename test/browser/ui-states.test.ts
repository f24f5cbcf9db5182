// The UI's empty, error and not-built states: an empty database shows how to record a first deployment, a
// failing API shows an error with a way to retry, and a server without a built UI says how to build it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import Fastify from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiRoutes } from '../../src/ui/ui.routes.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { launchChromium, onWatchedPage, openWatchedPage, type WatchOptions } from './browser-session.js';

let server: ServerProcess;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServerProcess(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A fresh watched page on this file's browser and server (read when called: both start in beforeAll). */
const onPage = (test: (page: Page) => Promise<void>, options: WatchOptions = {}) =>
  onWatchedPage(browser, server.url, test, options);

describe('an empty database', () => {
  it('shows how to record the first deployment, with a curl line for this server, and no statistics', async () => {
    await onPage(async (page) => {
      await page.goto(`${server.url}/ui/dashboards/deployments`);
      await page.getByRole('heading', { name: 'No deployments in the last 10 days' }).waitFor();

      await page.goto(`${server.url}/ui/`);
      await page.getByRole('heading', { name: 'No deployments yet' }).waitFor();
      const command = await page.locator('.first-deployment-hint__command').textContent();
      expect(command).toContain(`curl -X POST ${server.url}/api/v1/create`);
      // The menu loads on its own: wait for it rather than read it once.
      await page.locator('.nav-menu').getByText('No workloads yet').waitFor();

      // The command it shows works.
      const body = /-d '(.*)'$/.exec(command ?? '')?.[1] ?? '';
      const created = await fetch(`${server.url}/api/v1/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(created.status).toBe(201);
      await page.reload();
      await page.locator('tbody tr').first().waitFor();
      expect(await page.locator('tbody td[data-label="Workload"]').innerText()).toBe('teamX');
    });
  });
});

describe('live updates', () => {
  it('shows a new deployment and a status change as the server announces them, without a reload', async () => {
    await onPage(async (page) => {
      await page.goto(`${server.url}/ui/`);
      await page.locator('.app-header__live').waitFor();
      const created = await fetch(`${server.url}/api/v1/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          workload: 'live',
          platform: 'production',
          environment: 'eu',
          version: '9.9.9',
          status: 'ongoing',
        }),
      });
      const { versionId } = (await created.json()) as { versionId: number };
      const row = page.locator(`tbody tr[data-deployment-id="${versionId}"]`);
      await row.waitFor();
      expect(await row.locator('[data-status-kind]').textContent()).toContain('ongoing');
      await page.locator('.nav-menu').getByRole('button', { name: 'live', exact: true }).waitFor();

      await fetch(`${server.url}/api/v1/update/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ versionId, status: 'deployed' }),
      });
      await row.locator('[data-status-kind="success"]').waitFor();
    });
  });
});

describe('a failing API', () => {
  it('shows the error and recovers on retry', async () => {
    await onPage(
      async (page) => {
        let failures = 1;
        await page.route('**/api/v1/read/home', async (route) => {
          if (failures-- > 0) {
            await route.fulfill({
              status: 500,
              contentType: 'application/json',
              body: '{"error":"database on fire"}',
            });
          } else await route.continue();
        });
        await page.goto(`${server.url}/ui/`);
        const alert = page.getByRole('alert');
        await alert.waitFor();
        expect(await alert.textContent()).toContain('database on fire');
        await alert.getByRole('button', { name: 'Try again' }).click();
        await page.locator('tbody tr, .first-deployment-hint').first().waitFor();
        expect(await alert.count()).toBe(0);
      },
      { expectFailedApiCalls: true },
    );
  });

  it('says when the server cannot be reached', async () => {
    await onPage(
      async (page) => {
        await page.route('**/api/v1/stats/latest', (route) => route.abort('connectionrefused'));
        await page.goto(`${server.url}/ui/dashboards/deployments`);
        await page.getByRole('alert').waitFor();
        expect(await page.getByRole('alert').textContent()).toContain('The server could not be reached');
      },
      { expectFailedApiCalls: true },
    );
  });
});

describe('serving the UI', () => {
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { redirect: 'manual', headers });

  it('redirects / and /ui to /ui/ permanently', async () => {
    for (const path of ['/', '/ui']) {
      const response = await get(path);
      expect(response.status).toBe(308);
      expect(response.headers.get('location')).toBe('/ui/');
    }
  });

  it('serves index.html, never cached, for /ui/ and every page address', async () => {
    for (const path of [
      '/ui/',
      '/ui/dashboards/deployments',
      '/ui/workload/a/platform/b/environment/c/raw/1.0',
    ]) {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('<div id="app"></div>');
    }
  });

  it('caches hashed assets for a year and serves them pre-compressed', async () => {
    const html = await (await get('/ui/')).text();
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
    expect(script).toMatch(/^\/ui\/assets\/.+\.js$/);
    const response = await get(script!, { 'accept-encoding': 'br' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('content-encoding')).toBe('br');
    expect(response.headers.get('content-type')).toMatch(/javascript/);
  });

  it('answers 404 for a missing asset and leaves /api/ paths to the API', async () => {
    expect((await get('/ui/assets/gone-1234.js')).status).toBe(404);
    const api = await get('/api/v1/no-such-endpoint');
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers 503 with a page saying to run `npm run build` when the UI is not built', async () => {
    const emptyRoot = mkdtempSync(join(tmpdir(), 'versions-no-ui-'));
    const app = Fastify();
    await app.register(uiRoutes, { root: emptyRoot });
    try {
      const response = await app.inject({ method: 'GET', url: '/ui/workload/a/platform/b' });
      expect(response.statusCode).toBe(503);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain('npm run build');
    } finally {
      await app.close();
      rmSync(emptyRoot, { recursive: true, force: true });
    }
  });
});

describe('a server that protects reads (APP_READ_TOKENS)', () => {
  it('asks for the read token once, then shows the deployments', async () => {
    const guarded = await startServerProcess({
      APP_READ_TOKENS: 'let-me-read',
      APP_API_TOKENS: 'let-me-write',
    });
    try {
      await fetch(`${guarded.url}/api/v1/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer let-me-write' },
        body: JSON.stringify({
          workload: 'vault',
          platform: 'production',
          environment: 'eu',
          version: '7.0.0',
        }),
      });
      const watched = await openWatchedPage(browser, guarded.url, { expectFailedApiCalls: true });
      const { page } = watched;
      await page.goto(`${guarded.url}/ui/`);
      await page.getByRole('heading', { name: 'A token is needed' }).waitFor();

      await page.getByLabel('Read token').fill('wrong');
      await page.getByRole('button', { name: 'Show the deployments' }).click();
      await page.getByText('The server refused the token given.').waitFor();

      await page.getByLabel('Read token').fill('let-me-read');
      await page.getByRole('button', { name: 'Show the deployments' }).click();
      await page.locator('tbody tr').first().waitFor();
      expect(await page.locator('tbody td[data-label="Workload"]').innerText()).toBe('vault');
      expect(await page.locator('.nav-menu').textContent()).toContain('vault');

      await page.getByRole('button', { name: 'Forget the read token' }).click();
      await page.getByRole('heading', { name: 'A token is needed' }).waitFor();
      await watched.close();
      expect(watched.problems).toEqual([]);
    } finally {
      await guarded.stop();
    }
  });

  it('exports a history as CSV with the read token, which a plain link could not carry', async () => {
    const guarded = await startServerProcess({
      APP_READ_TOKENS: 'let-me-read',
      APP_API_TOKENS: 'let-me-write',
    });
    try {
      const where = { workload: 'vault', platform: 'production', environment: 'eu' };
      for (const version of ['7.0.0', '7.1.0', '=HYPERLINK("x")']) {
        const created = await fetch(`${guarded.url}/api/v1/create`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer let-me-write' },
          body: JSON.stringify({ ...where, version }),
        });
        expect(created.status).toBe(201);
      }
      // The address the link points at refuses a request without the token.
      const plain = await fetch(`${guarded.url}/api/v1/deployments?workload=vault&format=csv`);
      expect(plain.status).toBe(401);

      const watched = await openWatchedPage(browser, guarded.url, {
        expectFailedApiCalls: true,
        acceptDownloads: true,
      });
      const { page } = watched;
      await page.goto(`${guarded.url}/ui/workload/vault/platform/production/environment/eu`);
      await page.getByLabel('Read token').fill('let-me-read');
      await page.getByRole('button', { name: 'Show the deployments' }).click();
      await page.locator('tbody tr').first().waitFor();

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Export CSV' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('deployments.csv');
      const file = await download.path();
      const rows = parse(readFileSync(file), { columns: true }) as Array<Record<string, string>>;
      expect(rows.map((row) => row.version)).toEqual(['\'=HYPERLINK("x")', '7.1.0', '7.0.0']);
      expect(rows.every((row) => row.environment === 'eu' && row.workload === 'vault')).toBe(true);
      expect(await page.getByRole('alert').count()).toBe(0);
      await watched.close();
      expect(watched.problems).toEqual([]);
    } finally {
      await guarded.stop();
    }
  });
});
