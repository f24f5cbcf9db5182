// The insights pages in Chromium against a real server seeded through the API with backfilled dates, so that
// ages, DORA figures and rollbacks are known in advance: the deployed-versions matrix, DORA metrics, a
// deployment's page, rollback markers, history filters, live updates and the API reference.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { launchChromium, onWatchedPage, type WatchOptions } from './browser-session.js';
import { HOSTILE } from './demo-deployments.js';

const run = promisify(execFile);

let server: ServerProcess;
let browser: Browser;
let now: number;

const HOUR = 3600_000;
const DAY = 24 * HOUR;

interface Seed {
  workload: string;
  platform: string;
  environment: string;
  version: string;
  status: string;
  /** How long ago, in milliseconds. */
  ago: number;
  raw?: string;
  changelogURL?: string;
}

/** Ids of the seeded deployments, by `workload/environment/version`. */
const ids = new Map<string, number>();
const idOf = (workload: string, environment: string, version: string) => {
  const id = ids.get(`${workload}/${environment}/${version}`);
  if (id === undefined) throw new Error(`not seeded: ${workload}/${environment}/${version}`);
  return id;
};

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function record(seed: Seed): Promise<number> {
  const { ago, ...fields } = seed;
  const response = await post('/create', { ...fields, date: new Date(now - ago).toISOString() });
  if (response.status !== 201)
    throw new Error(`create answered ${response.status}: ${await response.text()}`);
  const { versionId } = (await response.json()) as { versionId: number };
  ids.set(`${seed.workload}/${seed.environment}/${seed.version}`, versionId);
  return versionId;
}

/** The history with 60 deployments: one every 6 hours, every 7th failed, one rollback at a page boundary. */
const FILTERS = { workload: 'filters', platform: 'production', environment: 'prod' };
const filterHistory = Array.from({ length: 60 }, (_, index) => ({
  ...FILTERS,
  // Index 35 is the oldest of page 1 (newest first, 25 a page): a rollback from index 34, on page 2.
  version: index === 35 ? '1.30.5' : `1.${index}.0`,
  status: index % 7 === 3 ? 'failed' : 'deployed',
  ago: (60 - index) * 6 * HOUR,
}));

/** The DORA workload: known counts, restore times of 30 min and 2 h, one deployment of about 2 h. */
const DORA = { workload: 'dora', platform: 'production', environment: 'prod' };
const doraHistory: Seed[] = [
  { ...DORA, version: '0.9.0', status: 'deployed', ago: 20 * DAY },
  { ...DORA, version: '0.9.1', status: 'failed', ago: 15 * DAY },
  { ...DORA, version: '1.0.0', status: 'deployed', ago: 150 * HOUR },
  { ...DORA, version: '1.1.0', status: 'deployed', ago: 130 * HOUR },
  { ...DORA, version: '1.2.0', status: 'failed', ago: 100 * HOUR },
  { ...DORA, version: '1.2.1', status: 'deployed', ago: 99.5 * HOUR },
  { ...DORA, version: '1.3.0', status: 'deployed', ago: 80 * HOUR },
  { ...DORA, version: '1.4.0', status: 'failed', ago: 50 * HOUR },
  { ...DORA, version: '1.4.1', status: 'deployed', ago: 48 * HOUR },
  { ...DORA, version: '1.5.0', status: 'deployed', ago: 30 * HOUR },
  { ...DORA, version: '1.6.0', status: 'deployed', ago: 10 * HOUR },
];
const DORA_PAYLOAD = '{"commit":"7d1e","pipeline":{"id":12},"steps":["build","deploy"]}';

beforeAll(async () => {
  [server, browser] = await Promise.all([startServerProcess(), launchChromium()]);
  now = Date.now();
  const seeds: Seed[] = [
    // shop: drift between environments, a rollback in prod-eu, a failed attempt in prod-us.
    {
      workload: 'shop',
      platform: 'production',
      environment: 'prod-eu',
      version: '1.9.0',
      status: 'deployed',
      ago: 10 * DAY,
    },
    {
      workload: 'shop',
      platform: 'production',
      environment: 'prod-eu',
      version: '2.0.0',
      status: 'deployed',
      ago: 5 * DAY,
    },
    {
      workload: 'shop',
      platform: 'production',
      environment: 'prod-eu',
      version: '2.0.1',
      status: 'failed',
      ago: 4 * DAY,
    },
    {
      workload: 'shop',
      platform: 'production',
      environment: 'prod-eu',
      version: '1.9.5',
      status: 'deployed',
      ago: 3 * DAY + 2 * HOUR,
    },
    {
      workload: 'shop',
      platform: 'staging',
      environment: 'stage',
      version: '2.1.0',
      status: 'deployed',
      ago: 2 * DAY + HOUR,
    },
    {
      workload: 'shop',
      platform: 'production',
      environment: 'prod-us',
      version: '2.1.0',
      status: 'deployed',
      ago: DAY + HOUR,
    },
    {
      workload: 'shop',
      platform: 'production',
      environment: 'prod-us',
      version: '2.2.0',
      status: 'failed',
      ago: 5 * HOUR,
    },
    // auth: in sync, with an attempt still going in staging.
    {
      workload: 'auth',
      platform: 'production',
      environment: 'prod-eu',
      version: '5.0.0',
      status: 'deployed',
      ago: 6 * DAY,
    },
    {
      workload: 'auth',
      platform: 'staging',
      environment: 'stage',
      version: '5.0.0',
      status: 'completed',
      ago: 7 * DAY,
    },
    {
      workload: 'auth',
      platform: 'staging',
      environment: 'stage',
      version: '5.1.0',
      status: 'ongoing',
      ago: 30 * 60_000,
    },
    // legacy: versions that are not semantic versions.
    {
      workload: 'legacy',
      platform: 'production',
      environment: 'prod-eu',
      version: 'build-17',
      status: 'deployed',
      ago: 4 * DAY,
    },
    {
      workload: 'legacy',
      platform: 'staging',
      environment: 'stage',
      version: 'build-18',
      status: 'deployed',
      ago: 2 * DAY,
    },
    {
      workload: 'legacy',
      platform: 'staging',
      environment: 'stage',
      version: 'build-16',
      status: 'deployed',
      ago: DAY,
    },
    ...doraHistory,
    ...filterHistory,
    // home: a rollback among the newest deployments.
    {
      workload: 'home',
      platform: 'production',
      environment: 'prod',
      version: '3.0.0',
      status: 'deployed',
      ago: 20 * 60_000,
    },
    {
      workload: 'home',
      platform: 'production',
      environment: 'prod',
      version: '2.9.0',
      status: 'deployed',
      ago: 10 * 60_000,
    },
    { ...HOSTILE, status: 'deployed', ago: 5 * 60_000 },
  ];
  for (const seed of seeds.sort((a, b) => b.ago - a.ago)) await record(seed);
  // Recorded as ongoing two hours ago, deployed now: a deployment of about 2 h.
  await record({
    ...DORA,
    version: '1.7.0',
    status: 'ongoing',
    ago: 2 * HOUR,
    raw: DORA_PAYLOAD,
    changelogURL: 'https://git.example.com/dora/1.7.0',
  });
  const updated = await post('/update/status', {
    versionId: idOf('dora', 'prod', '1.7.0'),
    status: 'deployed',
  });
  expect(updated.status).toBe(200);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A fresh watched page on this file's browser and server (read when called: both start in beforeAll). */
const onPage = (test: (page: Page) => Promise<void>, options: WatchOptions = {}) =>
  onWatchedPage(browser, server.url, test, options);

const ui = (path: string) => `${server.url}/ui${path}`;
const text = async (page: Page, selector: string) =>
  (await page.locator(selector).first().textContent())?.trim();
const squash = (value: string | null | undefined) => (value ?? '').replace(/\s+/g, ' ').trim();

/** Stored HTML never becomes elements. */
async function expectInert(page: Page): Promise<void> {
  expect(await page.locator('img[src="x"], main script, main b, main i').count()).toBe(0);
  expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
}

async function expectNoSidewaysScroll(page: Page): Promise<void> {
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
  ).toBeLessThanOrEqual(0);
}

describe('deployed versions (matrix)', () => {
  const cell = (page: Page, workload: string, environment: string) =>
    page.locator(`tr[data-workload="${workload}"] td[data-environment="${environment}"]`);

  it('shows what runs where, its age, drift and the failed or ongoing attempts', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/matrix'));
      await page.locator('.matrix table').waitFor();
      expect(await text(page, 'h1')).toBe('Deployed versions');

      // Columns in tier order (testing, staging, production), each platform heading its run of columns:
      // the staging platform holds testing environments (integration, qa) and the staging one (stage).
      expect((await page.locator('th.matrix__platform').allTextContents()).map(squash)).toEqual([
        'staging',
        'staging',
        'production',
      ]);

      const stage = cell(page, 'shop', 'staging/stage');
      const prodEu = cell(page, 'shop', 'production/prod-eu');
      const prodUs = cell(page, 'shop', 'production/prod-us');
      expect(await stage.locator('.matrix__version').textContent()).toContain('2.1.0');
      // Drift compares a tier with the tier before it (issue 18): staging is shop's first tier.
      expect(await stage.getAttribute('data-drift')).toBe('first');
      expect(await stage.locator('.matrix__age').textContent()).toContain('2 d ago');
      expect(await prodEu.locator('.matrix__version').textContent()).toContain('1.9.5');
      expect(await prodEu.getAttribute('data-drift')).toBe('behind');
      expect(squash(await prodEu.locator('.matrix-tag').textContent())).toBe(
        'behind staging (staging runs 2.1.0)',
      );
      expect(await prodEu.locator('.matrix__age').textContent()).toContain('3 d ago');
      expect(await prodEu.locator('.matrix-attempt').count()).toBe(0);
      expect(await prodUs.getAttribute('data-drift')).toBe('same');
      const attempt = prodUs.locator('.matrix-attempt');
      expect(await attempt.getAttribute('data-attempt-kind')).toBe('failed');
      expect(squash(await attempt.textContent())).toBe('✕ 2.2.0 failed · 5 h ago');
      expect(await page.locator('tr[data-workload="shop"] [data-drift-summary]').textContent()).toContain(
        '2 versions',
      );

      // In sync, with an attempt still going.
      expect(await page.locator('tr[data-workload="auth"] [data-drift-summary]').textContent()).toContain(
        'in sync',
      );
      expect(await cell(page, 'auth', 'staging/stage').getAttribute('data-drift')).toBe('first');
      expect(squash(await cell(page, 'auth', 'staging/stage').locator('.matrix-attempt').textContent())).toBe(
        '◔ 5.1.0 ongoing · 30 min ago',
      );

      // Versions that are not semantic: the newest deployed one stands out, the other differs.
      expect(await cell(page, 'legacy', 'staging/stage').getAttribute('data-drift')).toBe('first');
      expect(await cell(page, 'legacy', 'production/prod-eu').getAttribute('data-drift')).toBe('differs');

      // A workload without an environment shows an empty cell there.
      expect(await page.locator('tr[data-workload="dora"] .matrix__cell--absent').count()).toBeGreaterThan(0);

      // Stored HTML stays text.
      const hostile = page.locator('tbody tr', { hasText: HOSTILE.workload });
      expect(await hostile.locator('th').textContent()).toContain(HOSTILE.workload);
      expect(await hostile.locator('.matrix__version').textContent()).toContain(HOSTILE.version);
      await expectInert(page);

      // A version leads to its deployment's page.
      await prodEu.locator('.matrix__version').click();
      await page.waitForURL(ui(`/deployment/${idOf('shop', 'prod-eu', '1.9.5')}`));
      await page.getByRole('heading', { name: `Deployment #${idOf('shop', 'prod-eu', '1.9.5')}` }).waitFor();
    });
  });

  it('filters by workload, the choice in the address', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/matrix'));
      await page.locator('.matrix table').waitFor();
      await page.getByRole('combobox', { name: 'Workload' }).selectOption('auth');
      await page.waitForURL(ui('/matrix?workload=auth'));
      await page.locator('tr[data-workload="shop"]').waitFor({ state: 'detached' });
      expect(await page.locator('tbody tr').count()).toBe(1);
      expect(await page.locator('tbody tr').getAttribute('data-workload')).toBe('auth');

      // A shared link opens filtered.
      await page.goto(ui('/matrix?workload=legacy'));
      await page.locator('tr[data-workload="legacy"]').waitFor();
      expect(await page.locator('tbody tr').count()).toBe(1);
      expect(await page.getByRole('combobox', { name: 'Workload' }).inputValue()).toBe('legacy');
    });
  });

  it('is one card per workload on a phone, without sideways scrolling', async () => {
    await onPage(
      async (page) => {
        await page.goto(ui('/matrix'));
        await page.locator('.matrix table').waitFor();
        await expectNoSidewaysScroll(page);
        expect(await page.locator('thead').isVisible()).toBe(false);
      },
      { viewport: { width: 390, height: 844 } },
    );
  });
});

describe('DORA metrics', () => {
  const tile = (page: Page, metric: string) => page.locator(`.dora-tile[data-metric="${metric}"]`);
  async function figure(page: Page, metric: string): Promise<[string, string | null]> {
    const value = squash(await tile(page, metric).locator('.dora-tile__figure').textContent());
    return [value, await tile(page, metric).locator('[data-band]').getAttribute('data-band')];
  }

  it('shows the four figures of a workload with their bands, over 30 days and then 7', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/dora?workload=dora'));
      await tile(page, 'deploymentFrequency').waitFor();
      expect(await text(page, 'h1')).toBe('DORA metrics');
      // 30 days: 9 successful (0.3 a day), 3 failed of 12, restored after 30 min, 2 h and 8.75 d.
      expect(await figure(page, 'deploymentFrequency')).toEqual(['2.1 a week', 'high']);
      expect(await figure(page, 'changeFailureRate')).toEqual(['25 %', 'high']);
      expect(await figure(page, 'timeToRestore')).toEqual(['2 h', 'high']);
      expect(await figure(page, 'deploymentDuration')).toEqual(['2 h', 'high']);
      expect(await tile(page, 'changeFailureRate').locator('.dora-tile__note').textContent()).toBe(
        '3 failed of 12',
      );

      // The trend: 10 spans of 3 days, adding up to the window.
      await page.locator('.dora-trend__bar').first().waitFor();
      expect(await page.locator('.dora-trend__bar').count()).toBe(10);
      expect(await page.locator('.dora-trend svg').getAttribute('aria-label')).toContain(
        '12 deployments over 10 periods, 9 successful, 3 failed',
      );

      await page.locator('.dora-page__window label', { hasText: '7 days' }).click();
      await page.waitForURL(ui('/dora?days=7&workload=dora'));
      await page.locator('.dora-trend svg[aria-label*="7 periods"]').waitFor();
      // 7 days: 8 successful (1.1 a day), 2 failed of 10, restored after 30 min and 2 h.
      expect(await figure(page, 'deploymentFrequency')).toEqual(['1.1 a day', 'elite']);
      expect(await figure(page, 'changeFailureRate')).toEqual(['20 %', 'high']);
      expect(await figure(page, 'timeToRestore')).toEqual(['1 h 15 min', 'high']);
      expect(await page.locator('.dora-trend svg').getAttribute('aria-label')).toContain(
        '10 deployments over 7 periods, 8 successful, 2 failed',
      );
      expect(await page.locator('.dora-page__window input:checked').inputValue()).toBe('7');
    });
  });

  it('lists the figures per workload and environment, and defines the bands', async () => {
    await onPage(async (page) => {
      // Every tier: the figures below count shop's staging deployment too (the page defaults to production).
      await page.goto(ui('/dora?days=90&tier=all'));
      const doraRow = page.locator('tr[data-scope="dora/production/prod"]');
      await doraRow.waitFor();
      const rate = doraRow.locator('td[data-metric="changeFailureRate"]');
      expect(await rate.locator('.dora-table__figure').textContent()).toBe('25 %');
      expect(await rate.locator('[data-band]').getAttribute('data-band')).toBe('high');
      expect(await doraRow.locator('th a').getAttribute('href')).toBe(
        '/ui/workload/dora/platform/production/environment/prod',
      );
      const shop = page.locator('tr[data-scope="shop"]');
      // shop: 5 successful, 2 failed in 90 days.
      expect(await shop.locator('td[data-label="Deployments"]').textContent()).toBe('7');
      const shopRate = shop.locator('td[data-metric="changeFailureRate"]');
      expect(await shopRate.locator('.dora-table__figure').textContent()).toBe('29 %');
      expect(await shopRate.locator('[data-band]').getAttribute('data-band')).toBe('high');
      expect(await page.locator('tbody tr.dora-table__row--workload').count()).toBe(7);

      const hostile = page.locator('tbody tr', { hasText: HOSTILE.workload }).first();
      expect(await hostile.textContent()).toContain(HOSTILE.workload);
      await expectInert(page);

      await page.getByText('How the figures and the bands are defined').click();
      const bands = page.locator('.dora-page__bands');
      expect(squash(await bands.locator('tr', { hasText: 'Change failure rate' }).innerText())).toBe(
        'Change failure rate 15 % or less 30 % or less 45 % or less more than 45 %',
      );
    });
  });

  it('is loaded on demand, and its heading takes the focus after a navigation', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/'));
      await page.locator('tbody tr').first().waitFor();
      const scripts = await page.evaluate(() =>
        performance.getEntriesByType('resource').map((entry) => entry.name),
      );
      expect(scripts.some((name) => name.includes('DoraPage'))).toBe(false);
      await page.locator('.nav-menu').getByRole('link', { name: 'DORA metrics' }).click();
      await page.waitForURL(ui('/dora'));
      await tile(page, 'deploymentFrequency').waitFor();
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
      expect(await page.title()).toBe('DORA metrics · versions');
    });
  });
});

describe('deployment page', () => {
  it('shows every field, the status timeline with durations and the raw payload', async () => {
    await onPage(async (page) => {
      const id = idOf('dora', 'prod', '1.7.0');
      await page.goto(ui(`/deployment/${id}`));
      await page.locator('.status-timeline__step').first().waitFor();
      expect(await text(page, 'h1')).toBe(`Deployment #${id}`);
      const field = (name: string) =>
        page.locator('dl > div', { has: page.locator('dt').getByText(name, { exact: true }) }).locator('dd');
      expect(await field('Workload').textContent()).toBe('dora');
      expect(await field('Version').textContent()).toBe('1.7.0');
      expect(await field('Status').textContent()).toContain('deployed');
      expect(await field('Id (versionId)').textContent()).toBe(String(id));
      expect(await field('Changelog').locator('a').getAttribute('href')).toBe(
        'https://git.example.com/dora/1.7.0',
      );
      expect(await field('Environment').locator('a').getAttribute('href')).toBe(
        '/ui/workload/dora/platform/production/environment/prod',
      );

      const steps = page.locator('.status-timeline__step');
      expect(await steps.count()).toBe(2);
      expect(await steps.nth(0).getAttribute('data-status')).toBe('ongoing');
      expect(await steps.nth(0).textContent()).toContain('recorded');
      expect(await steps.nth(1).getAttribute('data-status')).toBe('deployed');
      expect(squash(await steps.nth(1).locator('.status-timeline__after').textContent())).toBe('2 h later');

      expect(await page.locator('.raw-page__text').textContent()).toBe(
        JSON.stringify(JSON.parse(DORA_PAYLOAD), null, 2),
      );
    });
  });

  it('is reached from the id of every table row, and keeps stored HTML as text', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/'));
      const row = page.locator('tbody tr').first();
      await row.waitFor();
      const id = Number(await row.getAttribute('data-deployment-id'));
      await row.locator('a.deployment-table__id').click();
      await page.waitForURL(ui(`/deployment/${id}`));
      await page.locator('.status-timeline__step').first().waitFor();
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
      expect(await page.locator('dl').textContent()).toContain(HOSTILE.version);
      expect(await page.locator('.raw-page__text').textContent()).toBe(HOSTILE.raw);
      await expectInert(page);
    });
  });

  it('says when there is no such deployment', async () => {
    await onPage(
      async (page) => {
        await page.goto(ui('/deployment/999999'));
        await page.getByRole('heading', { name: 'No deployment #999999' }).waitFor();
        await page.goto(ui('/deployment/0'));
        expect(await text(page, 'h1')).toBe('Page not found');
      },
      { expectFailedApiCalls: true },
    );
  });
});

describe('rollback markers', () => {
  const marker = (page: Page, id: number) =>
    page.locator(`tr[data-deployment-id="${id}"] .deployment-table__rollback`);

  it('marks a successful deployment of a lower version than the successful one before it', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/workload/shop/platform/production/environment/prod-eu'));
      await page.locator('tbody tr').first().waitFor();
      const rollback = marker(page, idOf('shop', 'prod-eu', '1.9.5'));
      expect(squash(await rollback.textContent())).toBe('↩ rollback from 2.0.0');
      expect(await rollback.getAttribute('data-rollback-from')).toBe('2.0.0');
      expect(await page.locator('.deployment-table__rollback').count()).toBe(1);

      // Versions that are not semantic versions are never compared.
      await page.goto(ui('/workload/legacy/platform/staging/environment/stage'));
      await page.locator('tbody tr').first().waitFor();
      expect(await page.locator('.deployment-table__rollback').count()).toBe(0);
    });
  });

  it('reads the one before from the next page when it is not on this one', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/workload/filters/platform/production/environment/prod'));
      await page.locator('tbody tr').first().waitFor();
      await marker(page, idOf('filters', 'prod', '1.30.5')).waitFor();
      expect(await marker(page, idOf('filters', 'prod', '1.30.5')).getAttribute('data-rollback-from')).toBe(
        '1.34.0',
      );
    });
  });

  it('marks rollbacks on the home page when the one before is shown too', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/'));
      await page.locator('tbody tr').first().waitFor();
      expect(await marker(page, idOf('home', 'prod', '2.9.0')).getAttribute('data-rollback-from')).toBe(
        '3.0.0',
      );
      expect(await page.locator('.deployment-table__rollback').count()).toBe(1);
    });
  });
});

describe('history filters', () => {
  const path = '/workload/filters/platform/production/environment/prod';
  const newestFirst = [...filterHistory].reverse();
  const versionsShown = async (page: Page) =>
    (await page.locator('tbody .deployment-table__version-link').allTextContents()).map((version) =>
      version.trim(),
    );

  it('filters by status over the whole history, not only the page shown, and keeps it in the address', async () => {
    await onPage(async (page) => {
      await page.goto(ui(path));
      await page.locator('tbody tr').first().waitFor();
      const status = page.getByLabel('Status');
      await status.focus();
      await status.selectOption('failed');
      await page.waitForURL(ui(`${path}?status=failed`));
      const failed = newestFirst.filter((d) => d.status === 'failed');
      await page.locator('.deployment-history__summary').waitFor();
      expect(await versionsShown(page)).toEqual(failed.map((d) => d.version));
      // Most of them are older than the first 25 rows.
      expect(newestFirst.slice(0, 25).filter((d) => d.status === 'failed').length).toBeLessThan(
        failed.length,
      );
      // The server filters (GET /api/v1/deployments): every match of the history, not of the newest rows.
      expect(squash(await page.locator('.deployment-history__summary').textContent())).toBe(
        'Deployments with status failed, newest first.',
      );
      // The focus stays in the form.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('history-filter-status');

      // The address can be shared: it opens filtered.
      await page.reload();
      await page.locator('.deployment-history__summary').waitFor();
      expect(await versionsShown(page)).toEqual(failed.map((d) => d.version));
      expect(await page.getByLabel('Status').inputValue()).toBe('failed');

      await page.getByRole('button', { name: 'Clear filters' }).click();
      await page.waitForURL(ui(path));
      await page.locator('.deployment-history__count').waitFor();
      expect(await page.locator('.deployment-history__count').textContent()).toContain(
        '60 deployments in all',
      );
    });
  });

  it('filters by version and by days, pages through the matches by cursor with the filter kept', async () => {
    await onPage(async (page) => {
      await page.goto(ui(`${path}?version=1.5*`));
      await page.locator('.deployment-history__summary').waitFor();
      expect(await versionsShown(page)).toEqual(
        newestFirst.filter((d) => d.version.startsWith('1.5')).map((d) => d.version),
      );

      await page.getByLabel('Version', { exact: true }).fill('1.*');
      await page.getByRole('button', { name: 'Filter', exact: true }).click();
      await page.waitForURL(ui(`${path}?version=1.*`));
      const matches = newestFirst.filter((d) => d.version.startsWith('1.'));
      await page.locator('tbody tr').nth(24).waitFor();
      const pages = page.getByRole('navigation', { name: 'Filtered pages' });
      await pages.getByRole('link', { name: 'Older deployments' }).click();
      await page.waitForURL((url) => url.search.includes('version=1.*') && url.search.includes('cursor='));
      await page.locator('tbody td', { hasText: matches[25]!.version }).first().waitFor();
      expect(await versionsShown(page)).toEqual(matches.slice(25, 50).map((d) => d.version));

      // Days are the viewer's (Tokyo, UTC+9), both ends included.
      const tokyoDay = (ago: number) => new Date(now - ago + 9 * HOUR).toISOString().slice(0, 10);
      const from = tokyoDay(10 * DAY);
      const to = tokyoDay(5 * DAY);
      await page.goto(ui(`${path}?from=${from}&to=${to}`));
      await page.locator('.deployment-history__summary').waitFor();
      const inRange = newestFirst.filter((d) => tokyoDay(d.ago) >= from && tokyoDay(d.ago) <= to);
      expect(await versionsShown(page)).toEqual(inRange.map((d) => d.version));
      expect(await page.getByLabel('From').inputValue()).toBe(from);

      await page.goto(ui(`${path}?status=nothing-like-this`));
      await page.getByRole('heading', { name: 'No deployment matches' }).waitFor();
    });
  });

  it('filters a platform’s history too', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/workload/shop/platform/production?status=failed'));
      await page.locator('.deployment-history__summary').waitFor();
      expect(await versionsShown(page)).toEqual(['2.2.0', '2.0.1']);
      expect(
        (await page.locator('tbody td[data-label="Environment"]').allTextContents()).map(squash),
      ).toEqual(['prod-us', 'prod-eu']);
    });
  });
});

describe('live updates', () => {
  it('updates the matrix and an environment’s history as deployments are recorded, without a reload', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/matrix?workload=shop'));
      await page.locator('.app-header__live').waitFor();
      await page.locator('.matrix table').waitFor();
      const prodEu = page.locator('tr[data-workload="shop"] td[data-environment="production/prod-eu"]');
      expect(await prodEu.getAttribute('data-drift')).toBe('behind');

      await record({
        workload: 'shop',
        platform: 'production',
        environment: 'prod-eu',
        version: '2.1.0',
        status: 'ongoing',
        ago: 0,
      });
      await prodEu.locator('.matrix-attempt[data-attempt-kind="ongoing"]').waitFor();
      await post('/update/status', { versionId: idOf('shop', 'prod-eu', '2.1.0'), status: 'deployed' });
      await prodEu.locator('.matrix__version', { hasText: '2.1.0' }).waitFor();
      expect(await prodEu.getAttribute('data-drift')).toBe('same');
      expect(await page.locator('tr[data-workload="shop"] [data-drift-summary]').textContent()).toContain(
        'in sync',
      );

      await page.goto(ui('/workload/auth/platform/production/environment/prod-eu'));
      await page.locator('.app-header__live').waitFor();
      await page.locator('tbody tr').first().waitFor();
      const id = await record({
        workload: 'auth',
        platform: 'production',
        environment: 'prod-eu',
        version: '5.1.0',
        status: 'deployed',
        ago: 0,
      });
      await page.locator(`tbody tr[data-deployment-id="${id}"]`).waitFor();
    });
  });
});

describe('API reference', () => {
  it('renders every endpoint of openapi.json grouped by tag, with parameters, body fields and answers', async () => {
    await onPage(async (page) => {
      const document = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const operations = Object.values(document.paths).reduce(
        (sum, item) => sum + Object.keys(item).length,
        0,
      );

      await page.goto(ui('/api'));
      await page.locator('.api-operation').first().waitFor();
      expect(await text(page, 'h1')).toBe('API reference');
      expect(await page.locator('.api-operation').count()).toBe(operations);
      expect(await page.locator('.api-page__group-title').allTextContents()).toEqual(
        expect.arrayContaining(['deployments', 'statistics', 'health']),
      );

      const matrix = page.locator('#get-api-v1-read-matrix');
      expect(squash(await matrix.locator('h3').textContent())).toBe('GET /api/v1/read/matrix');
      // The parameters' table comes first; the answer's fields have a workload too.
      const workload = matrix.locator('.api-field-table').first().locator('tr[data-field="workload"]');
      expect(squash(await workload.innerText())).toBe('workload query string Only this workload. "teamX"');
      expect(
        await matrix.locator('.api-response[data-status="200"] tr[data-field="current.version"]').count(),
      ).toBe(1);

      const create = page.locator('#post-api-v1-create');
      expect(await create.locator('tr[data-field="version"] .api-field-table__required').count()).toBe(1);
      expect(await create.locator('tr[data-field="date"] .api-field-table__required').count()).toBe(0);
      expect(await create.locator('tr[data-field="date"]').textContent()).toContain('backfills');
      expect(await create.textContent()).toContain('application/x-www-form-urlencoded');

      const dora = page.locator('#get-api-v1-stats-dora');
      expect(squash(await dora.locator('tr[data-field="days"] td[data-label="Type"]').textContent())).toBe(
        'integer, 1 to 3650',
      );

      // The contents link to each endpoint on the page.
      await page.locator('.api-page__contents a[href="#get-api-v1-stats-dora"]').click();
      await page.waitForURL(ui('/api#get-api-v1-stats-dora'));
      expect(await text(page, 'h1')).toBe('API reference');
      await expectInert(page);
    });
  });

  it('gives a curl line per endpoint that works against this server, and copies it', async () => {
    await onPage(
      async (page) => {
        await page.goto(ui('/api'));
        const matrix = page.locator('#get-api-v1-read-matrix');
        await matrix.waitFor();
        const get = (await matrix.locator('.api-operation__curl').textContent()) ?? '';
        expect(get).toBe(`curl -sS '${server.url}/api/v1/read/matrix'`);
        const answer = JSON.parse((await run('sh', ['-c', get])).stdout) as Array<{ workload: string }>;
        expect(answer.map((entry) => entry.workload)).toContain('shop');

        const create = (await page.locator('#post-api-v1-create .api-operation__curl').textContent()) ?? '';
        expect(create).toContain(`-X POST '${server.url}/api/v1/create'`);
        const created = JSON.parse((await run('sh', ['-c', create])).stdout) as { versionId: number };
        expect(created.versionId).toBeGreaterThan(0);

        const dora = page.locator('#get-api-v1-stats-dora');
        const shown = (await dora.locator('.api-operation__curl').textContent()) ?? '';
        // days has a default: the line may leave it out.
        expect(shown).toMatch(new RegExp(`^curl -sS '${server.url}/api/v1/stats/dora(\\?days=30)?'$`));
        await dora.getByRole('button', { name: 'Copy the curl line' }).click();
        await dora.getByText('Copied').waitFor();
        expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shown);
      },
      { permissions: ['clipboard-read', 'clipboard-write'] },
    );
  });
});
