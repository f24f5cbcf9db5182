// The web UI in Chromium against a real server seeded through the API: every page, the menu, pagination,
// stored HTML staying text, nothing fetched from elsewhere, no console error.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { launchChromium, onWatchedPage, type WatchOptions } from './browser-session.js';
import {
  demoDeployments,
  HOSTILE,
  JSON_PAYLOAD,
  LONG_HISTORY,
  recordDeployments,
  type DemoDeployment,
} from './demo-deployments.js';

let server: ServerProcess;
let browser: Browser;
let deployments: DemoDeployment[];
let now: Date;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServerProcess(), launchChromium()]);
  now = new Date();
  deployments = demoDeployments(now);
  await recordDeployments(server.url, deployments);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A fresh watched page on this file's browser and server (read when called: both start in beforeAll). */
const onPage = (test: (page: Page) => Promise<void>, options: WatchOptions = {}) =>
  onWatchedPage(browser, server.url, test, options);

const ui = (path: string) => `${server.url}/ui${path}`;
const enc = encodeURIComponent;
const newestFirst = (list: DemoDeployment[]) => [...list].sort((a, b) => b.date.localeCompare(a.date));

/** How the UI must show an ISO date to a viewer in Tokyo (UTC+9, no daylight saving). */
function tokyoTime(iso: string): string {
  return new Date(new Date(iso).getTime() + 9 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

async function rowTexts(page: Page, column: string): Promise<string[]> {
  const texts = await page.locator(`table tbody tr td[data-label="${column}"]`).allTextContents();
  return texts.map((text) => text.trim());
}

/** The version of each row (its cell also shows the deployment id). */
async function versions(page: Page): Promise<string[]> {
  const texts = await page
    .locator('table tbody td[data-label="Version"] a.deployment-table__version-link')
    .allTextContents();
  return texts.map((text) => text.trim());
}

async function waitForRows(page: Page): Promise<void> {
  await page.locator('table tbody tr').first().waitFor();
}

describe('home page', () => {
  it('shows the 25 newest deployments, dated in the viewer’s zone, with links to their pages', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/'));
      await waitForRows(page);
      const expected = newestFirst(deployments).slice(0, 25);

      expect(await page.locator('h1').textContent()).toBe('Latest deployments');
      expect(await versions(page)).toEqual(expected.map((d) => d.version));
      expect(await page.locator('.app-header__zone').textContent()).toContain('Asia/Tokyo');
      expect(await page.locator('caption').textContent()).toContain('Asia/Tokyo');

      const jsonRow = page.locator('tbody tr', { hasText: JSON_PAYLOAD.version });
      const recorded = jsonRow.locator('td[data-label="Recorded"]');
      expect(await recorded.locator('time').textContent()).toBe(tokyoTime(expected[1]!.date));
      expect(await recorded.locator('.date-time__relative').textContent()).toBe('45 min ago');
      expect(await jsonRow.locator('[data-status-kind]').getAttribute('data-status-kind')).toBe('success');
      expect(await jsonRow.locator('td[data-label="Platform"] a').getAttribute('href')).toBe(
        '/ui/workload/checkout/platform/production',
      );
      expect(await jsonRow.locator('td[data-label="Environment"] a').getAttribute('href')).toBe(
        '/ui/workload/checkout/platform/production/environment/prod-us',
      );

      const withChangelog = page
        .locator('tbody tr', { has: page.locator('a', { hasText: 'changelog' }) })
        .first();
      expect(await withChangelog.locator('a', { hasText: 'changelog' }).getAttribute('href')).toMatch(
        /^https:\/\/git\.example\.com\//,
      );

      await jsonRow.locator('td[data-label="Environment"] a').click();
      await page.waitForURL(ui('/workload/checkout/platform/production/environment/prod-us'));
      await waitForRows(page);
      expect(await page.locator('h1').textContent()).toBe('prod-us');
      expect(await page.title()).toBe('checkout / production / prod-us · versions');
    });
  });

  it('keeps stored HTML and script as text: nothing runs, no element is made of it', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/'));
      await waitForRows(page);
      const row = page.locator('tbody tr').first();
      expect((await row.locator('td[data-label="Workload"]').textContent())?.trim()).toBe(HOSTILE.workload);
      expect((await row.locator('td[data-label="Environment"]').textContent())?.trim()).toBe(
        HOSTILE.environment,
      );
      expect(
        (
          await row.locator('td[data-label="Version"] a.deployment-table__version-link').textContent()
        )?.trim(),
      ).toBe(HOSTILE.version);
      expect(await row.locator('[data-status-kind]').textContent()).toContain(HOSTILE.status);
      // A javascript: changelog is shown, never linked.
      expect(await row.locator('td[data-label="Changelog"]').textContent()).toBe(HOSTILE.changelogURL);
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
      expect(await page.locator('img[src="x"], main b, main i, main script').count()).toBe(0);
      expect(await page.locator('.nav-menu').textContent()).toContain(HOSTILE.workload);

      // A version opens its deployment page (issue 18: the same link everywhere); the raw page has its address.
      await row.locator('td[data-label="Version"] a.deployment-table__version-link').click();
      await page.waitForURL(/\/ui\/deployment\/\d+$/);
      await page.goto(
        ui(
          `/workload/${enc(HOSTILE.workload)}/platform/${enc(HOSTILE.platform)}/environment/${enc(HOSTILE.environment)}/raw/${enc(HOSTILE.version)}`,
        ),
      );
      await page.locator('.raw-page__text').waitFor();
      expect(await page.locator('h1').textContent()).toBe(`Raw payload of ${HOSTILE.version}`);
      expect(await page.locator('.raw-page__text').textContent()).toBe(HOSTILE.raw);
      expect(await page.locator('img[src="x"], main script').count()).toBe(0);
    });
  });
});

describe('navigation menu', () => {
  it('lists every workload, opens to platforms and environments, and navigates', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/'));
      const menu = page.locator('nav.nav-menu');
      const workloads = [...new Set(deployments.map((d) => d.workload))].sort();
      await menu.locator('.nav-menu__toggle--workload').first().waitFor();
      expect(await menu.locator('.nav-menu__toggle--workload').allTextContents()).toEqual(
        workloads.map((workload) => expect.stringContaining(workload)),
      );

      const payments = menu.getByRole('button', { name: 'payments', exact: true });
      expect(await payments.getAttribute('aria-expanded')).toBe('false');
      await payments.click();
      expect(await payments.getAttribute('aria-expanded')).toBe('true');
      await menu.getByRole('link', { name: 'production', exact: true }).click();
      await page.waitForURL(ui('/workload/payments/platform/production'));
      await waitForRows(page);
      expect(await page.locator('h1').textContent()).toBe('production');
      expect(await menu.locator('a[aria-current="page"]').textContent()).toContain('production');

      await menu.getByRole('button', { name: 'Environments of production' }).first().click();
      await menu.getByRole('link', { name: LONG_HISTORY.environment, exact: true }).click();
      await page.waitForURL(
        ui(`/workload/payments/platform/production/environment/${LONG_HISTORY.environment}`),
      );
      expect(await page.locator('h1').textContent()).toBe(LONG_HISTORY.environment);

      // Back to the platform with the browser's button; the page follows.
      await page.goBack();
      await page.waitForURL(ui('/workload/payments/platform/production'));
      expect(await page.locator('h1').textContent()).toBe('production');

      await menu.getByRole('link', { name: 'Statistics' }).click();
      await page.waitForURL(ui('/dashboards/deployments'));
      expect(await page.locator('h1').textContent()).toBe('Statistics');
      // Keyboard and screen-reader users land on the new page's heading.
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    });
  });

  it('filters workloads, platforms and environments as one types', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/'));
      const filter = page.getByLabel('Filter workloads, platforms and environments');
      await filter.fill('sear');
      const menu = page.locator('nav.nav-menu');
      expect(await menu.locator('.nav-menu__toggle--workload').allTextContents()).toEqual([
        expect.stringContaining('search'),
      ]);
      await filter.fill('prod-us');
      expect(await menu.locator('.nav-menu__environments a:visible').allTextContents()).toEqual(
        expect.arrayContaining([expect.stringContaining('prod-us')]),
      );
      expect(await menu.locator('.nav-menu__environments a:visible', { hasText: 'dev' }).count()).toBe(0);
      await filter.fill('no such thing');
      expect(await menu.textContent()).toContain('Nothing matches');
    });
  });

  it('becomes a drawer on a phone, opened by the Menu button and closed by Escape', async () => {
    await onPage(
      async (page) => {
        await page.goto(ui('/'));
        await waitForRows(page);
        const sidebar = page.locator('#sidebar');
        const menuButton = page.getByRole('button', { name: 'Menu' });
        expect(await sidebar.isVisible()).toBe(false);
        await menuButton.click();
        expect(await sidebar.isVisible()).toBe(true);
        await page.keyboard.press('Escape');
        expect(await sidebar.isVisible()).toBe(false);
        expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Menu');

        await menuButton.click();
        await sidebar.getByRole('button', { name: 'search', exact: true }).click();
        await sidebar.getByRole('link', { name: 'staging', exact: true }).click();
        await page.waitForURL(ui('/workload/search/platform/staging'));
        expect(await sidebar.isVisible()).toBe(false);
        // Tables become one card per deployment; nothing scrolls sideways.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
      },
      { viewport: { width: 390, height: 844 } },
    );
  });
});

describe('platform and environment pages', () => {
  const { workload, platform, environment, count } = LONG_HISTORY;
  const environmentPath = `/workload/${workload}/platform/${platform}/environment/${environment}`;
  const history = () =>
    newestFirst(
      deployments.filter(
        (d) => d.workload === workload && d.platform === platform && d.environment === environment,
      ),
    );

  it('pages through an environment’s history with first / previous / next / last, the page in the address', async () => {
    await onPage(async (page) => {
      await page.goto(ui(environmentPath));
      await waitForRows(page);
      const expected = history().map((d) => d.version);
      const pages = page.getByRole('navigation', { name: 'Pages' });

      expect(await versions(page)).toEqual(expected.slice(0, 25));
      expect(await page.locator('.deployment-history__count').textContent()).toContain(
        `${count} deployments in all`,
      );
      expect(await pages.locator('a[aria-current="page"]').textContent()).toContain('1');

      await pages.getByRole('link', { name: 'Next' }).click();
      await page.waitForURL(ui(`${environmentPath}/2`));
      await page.locator('tbody td[data-label="Version"]', { hasText: expected[25]! }).waitFor();
      expect(await versions(page)).toEqual(expected.slice(25, 50));

      await pages.getByRole('link', { name: 'Last' }).click();
      await page.waitForURL(ui(`${environmentPath}/3`));
      await page.locator('tbody td[data-label="Version"]', { hasText: expected[50]! }).waitFor();
      expect(await page.locator('tbody tr').count()).toBe(count - 50);
      expect(await pages.getByText('Next').getAttribute('aria-disabled')).toBe('true');

      await pages.getByRole('link', { name: 'Previous' }).click();
      await page.waitForURL(ui(`${environmentPath}/2`));
      await pages.getByRole('link', { name: 'First' }).click();
      await page.waitForURL(ui(environmentPath));
      await page.locator('tbody td[data-label="Version"]', { hasText: expected[0]! }).waitFor();

      await page.goBack();
      await page.waitForURL(ui(`${environmentPath}/2`));
      await page.locator('tbody td[data-label="Version"]', { hasText: expected[25]! }).waitFor();
    });
  });

  it('opens a page number straight from the address, and says when there is no such page', async () => {
    await onPage(
      async (page) => {
        await page.goto(ui(`${environmentPath}/3`));
        await waitForRows(page);
        expect(await page.locator('tbody tr').count()).toBe(count - 50);
        expect(await page.title()).toContain('page 3');

        await page.goto(ui(`${environmentPath}/9`));
        await page.getByText('There is no page 9').waitFor();
        await page.getByRole('link', { name: 'Go to the first page' }).click();
        await page.waitForURL(ui(environmentPath));
        await waitForRows(page);
      },
      { expectFailedApiCalls: true },
    );
  });

  it('shows a platform’s history over its environments', async () => {
    await onPage(async (page) => {
      await page.goto(ui(`/workload/${workload}/platform/${platform}`));
      await waitForRows(page);
      const rows = newestFirst(deployments.filter((d) => d.workload === workload && d.platform === platform));
      expect(await page.locator('.deployment-history__count').textContent()).toContain(
        `${rows.length} deployments in all; page 1 of ${Math.ceil(rows.length / 25)}`,
      );
      expect(await rowTexts(page, 'Environment')).toEqual(rows.slice(0, 25).map((d) => d.environment));
      expect(await page.locator('th', { hasText: 'Workload' }).count()).toBe(0);
      const breadcrumb = page.getByRole('navigation', { name: 'Breadcrumb' });
      expect(await breadcrumb.textContent()).toContain(workload);
    });
  });
});

describe('raw page', () => {
  it('pretty-prints a JSON payload, shows it as recorded on demand, and copies it', async () => {
    await onPage(
      async (page) => {
        const { workload, platform, environment, version, raw } = JSON_PAYLOAD;
        await page.goto(
          ui(`/workload/${workload}/platform/${platform}/environment/${environment}/raw/${version}`),
        );
        const text = page.locator('.raw-page__text');
        await text.waitFor();
        const pretty = JSON.stringify(JSON.parse(raw), null, 2);
        expect(await text.textContent()).toBe(pretty);
        expect(await page.getByText('JSON, pretty-printed').count()).toBe(1);

        await page.getByRole('button', { name: 'Copy' }).click();
        await page.getByText('Copied').waitFor();
        expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(pretty);

        await page.getByLabel('As recorded').check();
        expect(await text.textContent()).toBe(raw);
      },
      { permissions: ['clipboard-read', 'clipboard-write'] },
    );
  });

  it('shows a payload that is not JSON as plain text', async () => {
    await onPage(async (page) => {
      const { workload, platform, environment } = LONG_HISTORY;
      const target = history(deployments)[0]!;
      await page.goto(
        ui(
          `/workload/${workload}/platform/${platform}/environment/${environment}/raw/${enc(target.version)}`,
        ),
      );
      await page.locator('.raw-page__text').waitFor();
      expect(await page.locator('.raw-page__text').textContent()).toBe(target.raw);
      expect(await page.getByText('Plain text').count()).toBe(1);
    });

    function history(list: DemoDeployment[]) {
      return newestFirst(
        list.filter(
          (d) => d.workload === LONG_HISTORY.workload && d.environment === LONG_HISTORY.environment,
        ),
      );
    }
  });
});

describe('statistics page', () => {
  it('charts the last 10 UTC days by status and breaks them down per workload', async () => {
    await onPage(async (page) => {
      const firstDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 9));
      const recent = deployments.filter((d) => new Date(d.date) >= firstDay);
      const failed = recent.filter((d) => d.status === 'failed').length;

      await page.goto(ui('/dashboards/deployments'));
      await page.locator('.stacked-bar-chart svg rect').first().waitFor();
      const tile = (name: string) =>
        page.locator('.statistics-page__tiles dt', { hasText: new RegExp(`^${name}$`) }).locator('+ dd');
      expect(await tile('Deployments').textContent()).toBe(String(recent.length));
      expect(await tile('Failed').textContent()).toBe(String(failed));
      expect(await page.locator('.stacked-bar-chart__bar').count()).toBe(10);
      expect(await page.locator('.stacked-bar-chart svg').getAttribute('aria-label')).toContain(
        `${recent.length} deployments over 10 days`,
      );
      expect(await page.locator('.stacked-bar-chart__legend').textContent()).toContain('failed');

      const workloads = [...new Set(recent.map((d) => d.workload))];
      expect(await page.locator('.workload-breakdown tbody tr').count()).toBe(workloads.length);
      const search = recent.filter((d) => d.workload === 'search');
      const searchRow = page.locator('.workload-breakdown tbody tr', { hasText: 'search' });
      expect(await searchRow.locator('td').first().textContent()).toBe(String(search.length));

      await page.getByRole('combobox', { name: 'Workload' }).selectOption('search');
      expect(await page.locator('.stacked-bar-chart svg').getAttribute('aria-label')).toContain(
        `${search.length} deployments over 10 days`,
      );
    });
  });
});

describe('other pages and qualities', () => {
  it('answers an unknown address with a not-found page, and an unknown platform with a clear message', async () => {
    await onPage(
      async (page) => {
        await page.goto(ui('/no/such/page'));
        expect(await page.locator('h1').textContent()).toBe('Page not found');
        await page.getByRole('link', { name: 'See the latest deployments' }).click();
        await page.waitForURL(ui('/'));
        await waitForRows(page);

        await page.goto(ui('/workload/nobody/platform/nowhere'));
        await page.getByText('No deployments of nobody on nowhere').waitFor();
      },
      { expectFailedApiCalls: true },
    );
  });

  it('is usable from the keyboard: a skip link, visible focus', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/'));
      await waitForRows(page);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      // The first thing of the main content: the Refresh button, with a visible focus ring.
      const focused = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement;
        return { text: element.textContent?.trim(), outline: getComputedStyle(element).outlineStyle };
      });
      expect(focused).toEqual({ text: 'Refresh', outline: 'solid' });
    });
  });

  it('follows the system’s dark theme', async () => {
    const background = async (colorScheme: 'light' | 'dark') => {
      let colour = '';
      await onPage(
        async (page) => {
          await page.goto(ui('/'));
          await waitForRows(page);
          colour = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        },
        { colorScheme },
      );
      return colour;
    };
    expect(await background('light')).toBe('rgb(246, 247, 249)');
    expect(await background('dark')).toBe('rgb(14, 17, 22)');
  });
});
