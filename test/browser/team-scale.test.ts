// Issue 18 in Chromium, at a team's scale: a real server seeded through the API with six workloads, 924
// deployments over 60 days, one workload with 60 environments and one environment with 300 deployments
// (test/browser/team-dataset.ts). Each point of the issue is checked on the pages, then axe (WCAG 2.1 AA and
// target size) on every page in both colour schemes.
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { launchChromium, onWatchedPage, type WatchOptions } from './browser-session.js';
import { popName, popUrl, recordTeam, TEAM } from './team-dataset.js';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let server: ServerProcess;
let browser: Browser;
let ids: number[];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServerProcess(), launchChromium()]);
  ids = await recordTeam(server.url, new Date());
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const onPage = (test: (page: Page) => Promise<void>, options: WatchOptions = {}) =>
  onWatchedPage(browser, server.url, test, options);
const ui = (path: string) => `${server.url}/ui${path}`;
const api = async (path: string) => (await fetch(`${server.url}/api/v1${path}`)).json();

/** What axe (WCAG 2.1 AA and 2.2's target size) finds wrong on the page, or inside `selector` only. */
async function axeViolations(page: Page, selector?: string): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(async (context) => {
    const axe = (window as unknown as { axe: { run: (...args: unknown[]) => Promise<unknown> } }).axe;
    const result = (await axe.run(context ?? document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    })) as { violations: Array<{ id: string; nodes: Array<{ target: unknown[] }> }> };
    return result.violations.map(
      (violation) =>
        `${violation.id}: ${violation.nodes
          .slice(0, 3)
          .map((node) => JSON.stringify(node.target))
          .join(' ')} (${violation.nodes.length})`,
    );
  }, selector);
}

/** The page never scrolls sideways: its width is the window's. */
const scrollsSideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);

describe('the dataset', () => {
  it('is a team: 924 deployments, 60 environments of one workload, 300 in one environment', async () => {
    expect(ids).toHaveLength(924);
    const environments = (await api('/environments')) as Array<{
      platform: string;
      environment: string;
      tier: string;
      url: string | null;
    }>;
    expect(environments.find((entry) => entry.environment === popName(0))).toMatchObject({
      tier: 'production',
    });
    expect(environments.find((entry) => entry.environment === 'preprod')).toMatchObject({ tier: 'staging' });
    expect(environments.find((entry) => entry.environment === 'qa')).toMatchObject({ tier: 'testing' });
    // The address the pops' deployments send; none where nobody sent one.
    expect(environments.find((entry) => entry.environment === popName(3))).toMatchObject({ url: popUrl(3) });
    expect(environments.find((entry) => entry.environment === 'preprod')).toMatchObject({ url: null });
    const busy = await api(
      `/read/environment?workload=storefront&platform=development&environment=dev&rangeLimit=1`,
    );
    expect(busy[0].total).toBe(300);
  });
});

describe('DORA on production', () => {
  it('defaults to the production tier, counts rollouts once and says so, sorts, flags the worst band', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/dora'));
      await page.locator('.dora-tile').first().waitFor();
      expect(await page.locator('select[name="tier"]').inputValue()).toBe('production');
      expect(await page.getByTestId('rollout-note').textContent()).toContain('within an hour');
      const frequency = page.locator('.dora-tile[data-metric="deploymentFrequency"]');
      await expect.poll(() => frequency.textContent()).toMatch(/rollouts? in 30 days \(\d+ successful/);
      // Every figure of the page is the API's with tier=production.
      const figures = await api('/stats/dora?days=30&tier=production');
      expect(figures.rollouts).toBeLessThan(figures.successful);
      expect(await frequency.textContent()).toContain(`${figures.rollouts} rollout`);

      await page.locator('.dora-table tbody tr').first().waitFor();
      const header = page.locator('.dora-table th', { hasText: 'Change failure rate' });
      await header.locator('button').click();
      expect(await header.getAttribute('aria-sort')).toBe('ascending');
      await header.locator('button').click();
      expect(await header.getAttribute('aria-sort')).toBe('descending');
      expect(await page.locator('.dora-table [data-worst="true"]').count()).toBeGreaterThan(0);

      await page.locator('select[name="tier"]').selectOption('all');
      await page.waitForURL(/tier=all/);
      await expect.poll(() => frequency.textContent()).toMatch(/successful deployments? in 30 days$/);
    });
  });
});

describe('the matrix at 70 environments', () => {
  it('orders by tier, compares with the tier before, pins header and first column, never scrolls the page', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/matrix'));
      const grid = page.locator('.matrix');
      await grid.locator('tbody tr').first().waitFor();
      expect(await scrollsSideways(page)).toBe(false);
      const tiers = await page
        .locator('thead .matrix__tier')
        .evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-tier')));
      expect(tiers).toEqual(['development', 'testing', 'staging', 'production']);
      // Staging compared with development, never "behind" because of a newer version elsewhere.
      const staging = page.locator('tr[data-workload="billing"] td[data-environment="staging/staging"]');
      expect(await staging.locator('.matrix-tag').textContent()).toMatch(/= development|behind development/);
      // An absolute date and time beside the age.
      expect(await staging.locator('.matrix__age').textContent()).toMatch(
        /\d{4}-\d\d-\d\d \d\d:\d\d · \d+ \w+ ago/,
      );

      // Scrolled both ways inside its card: the header row and the workload column stay in view.
      const before = await page.locator('.matrix__workload').first().boundingBox();
      await grid.evaluate((element) => element.scrollTo(element.scrollWidth, 200));
      const gridBox = (await grid.boundingBox())!;
      const workloadCell = (await page
        .locator('tr[data-workload="storefront"] .matrix__workload')
        .boundingBox())!;
      expect(Math.abs(workloadCell.x - gridBox.x)).toBeLessThan(2);
      expect(Math.abs(workloadCell.x - before!.x)).toBeLessThan(2);
      const head = (await page.locator('.matrix thead').boundingBox())!;
      expect(Math.abs(head.y - gridBox.y)).toBeLessThan(2);
      expect(await scrollsSideways(page)).toBe(false);
    });
  });

  it('folds the platform of 60 environments into a summary; a cell opens in place, the header opens the column', async () => {
    await onPage(
      async (page) => {
        await page.goto(ui('/matrix'));
        const summary = page.locator(
          `tr[data-workload="${TEAM.wideWorkload}"] td[data-summary="production"] button`,
        );
        // 40 pops on 7.4.0 (two failed there and still run 7.3.0, 14 were skipped), canary elsewhere.
        expect(await summary.textContent()).toMatch(
          /^\s*40\/57 on 7\.4\.0, 2 failed: edge-proxy's 57 environments of production\s*$/,
        );
        expect(await summary.getAttribute('aria-expanded')).toBe('false');

        // A click opens that cell only: that workload's 57 environments of production, in place.
        await summary.click();
        expect(await summary.getAttribute('aria-expanded')).toBe('true');
        const panel = page.locator(`#${await summary.getAttribute('aria-controls')}`);
        const items = panel.locator('li[data-environment]');
        await expect.poll(() => items.count()).toBe(57);
        expect(page.url()).not.toContain('open=');
        expect(await page.locator('td[data-environment^="production/"]').count()).toBe(0);
        const failedPop = panel.locator(`li[data-environment="production/${popName(TEAM.pops - 1)}"]`);
        expect(await failedPop.locator('.matrix-summary__version').textContent()).toBe('7.3.0');
        expect(await failedPop.locator('[data-attempt-kind="failed"]').textContent()).toMatch(
          /7\.4\.0 failed/,
        );
        expect(await failedPop.locator('a[href^="https://"]').getAttribute('href')).toBe(
          popUrl(TEAM.pops - 1),
        );
        // Its links are reachable by keyboard; Escape closes it and gives the focus back to the cell's button.
        await failedPop.locator('.matrix-summary__version').focus();
        await page.keyboard.press('Escape');
        expect(await summary.getAttribute('aria-expanded')).toBe('false');
        expect(await panel.count()).toBe(0);
        expect(await summary.evaluate((button) => button === document.activeElement)).toBe(true);
        // Enter opens it again, from the keyboard; open, it passes axe in both colour schemes.
        await page.keyboard.press('Enter');
        expect(await summary.getAttribute('aria-expanded')).toBe('true');
        expect(await scrollsSideways(page)).toBe(false);
        for (const colorScheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme });
          expect(await axeViolations(page, 'tr[data-workload="edge-proxy"]'), colorScheme).toEqual([]);
        }
        // axe is injected as a script: the server's Content-Security-Policy would refuse it.
      },
      { bypassCSP: true },
    );
  }, 120_000);

  it('opens a whole platform from its header, links each environment to its address, keeps choices in the address', async () => {
    await onPage(async (page) => {
      await page.goto(ui(`/matrix?workload=${TEAM.wideWorkload}`));
      await page.getByTestId('open-platform').click();
      await page.waitForURL(/open=production/);
      expect(await page.locator(`td[data-environment="production/${popName(55)}"]`).count()).toBe(1);
      // The column's header links to where the environment answers (GET /environments' url).
      const header = page.locator('.matrix__environment', { hasText: popName(55) });
      expect(await header.getByTestId('environment-column-url').getAttribute('href')).toBe(popUrl(55));
      expect(await scrollsSideways(page)).toBe(false);

      // Only the production tier, remembered in the address: a reload shows the same columns.
      await page.getByTestId('environment-chooser').click();
      await page.getByRole('button', { name: 'Only staging' }).click();
      await page.waitForURL(/env=staging%2Fstaging/);
      await page.reload();
      await page.locator('.matrix tbody tr').first().waitFor();
      const shown = await page
        .locator('.matrix tbody td[data-environment]')
        .evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-environment')));
      expect(shown.sort()).toEqual(['staging/preprod', 'staging/staging']);
    });
  });
});

describe('the workload page', () => {
  it('shows the current version everywhere in tier order, then the history with filters across platforms', async () => {
    await onPage(async (page) => {
      await page.goto(ui(`/workload/${TEAM.wideWorkload}`));
      await page.locator('[data-tier]').first().waitFor();
      const tiers = await page
        .locator('tr[data-tier]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-tier')));
      expect(tiers).toHaveLength(60);
      const rank = ['development', 'testing', 'staging', 'production', 'other'];
      expect(tiers.map((tier) => rank.indexOf(tier!))).toEqual(
        [...tiers.map((tier) => rank.indexOf(tier!))].sort((a, b) => a - b),
      );
      expect(
        await page.locator('tr[data-tier] td[data-label="Deployed at"] time').first().textContent(),
      ).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);

      // History over every platform, 25 at a time, then filtered by status through the address.
      await page.locator('.deployment-table tbody tr').first().waitFor();
      expect(await page.locator('.deployment-table tbody tr').count()).toBe(25);
      await page.getByRole('button', { name: 'Show 25 more' }).click();
      await expect.poll(() => page.locator('.deployment-table tbody tr').count()).toBe(50);
      await page.locator('select[name="status"]').selectOption('failed');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/status=failed/);
      await expect
        .poll(
          async () => new Set(await page.locator('.deployment-table [data-status-kind]').allTextContents()),
        )
        .toEqual(new Set(['✕failed']));
      await page.getByRole('button', { name: 'Last 7 days' }).click();
      await page.waitForURL(/from=\d{4}-\d\d-\d\d/);
    });
  });
});

describe('search, deployments in progress, dates and links', () => {
  it('finds #id, a version and a workload from the header of any page', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/matrix'));
      await page.locator('.matrix tbody tr').first().waitFor();
      const box = page.locator('#header-search-input');
      // Each search waits for what the next page shows (its heading, its rows), never for a fixed time.
      const search = async (text: string) => {
        await box.fill(text);
        await box.press('Enter');
      };
      await search(`#${ids[100]}`);
      await page.waitForURL(new RegExp(`/ui/deployment/${ids[100]}$`));
      await page.locator('#main h1', { hasText: `Deployment #${ids[100]}` }).waitFor();
      await search('7.4.0');
      await page.waitForURL(/\/ui\/search\?q=7\.4\.0/);
      await page.locator('#main h1', { hasText: 'Search: 7.4.0' }).waitFor();
      await page.locator('.deployment-table tbody tr').first().waitFor();
      await search('edge');
      await page.waitForURL(/\/ui\/search\?q=edge$/);
      const workloads = page.locator('#search-workloads + .search-page__links');
      await workloads.getByRole('link', { name: TEAM.wideWorkload, exact: true }).click();
      await page.waitForURL(new RegExp(`/ui/workload/${TEAM.wideWorkload}$`));
    });
  });

  it('leads the home page with every ongoing deployment, the stale one flagged', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/'));
      const section = page.getByTestId('in-progress');
      await section.waitFor();
      const items = section.locator('li');
      expect(await items.count()).toBe(3);
      // Stale after an hour by default: the 3-hour-old one and the 2-day-old one, not the 10-minute-old one.
      const stale = section.locator('li[data-stale="true"]');
      expect(await stale.count()).toBe(2);
      expect(await section.locator('li[data-stale="false"]').textContent()).toContain(TEAM.fresh.version);
      expect(await stale.first().textContent()).toMatch(/stale: running for/);
      // The two-day-old one is far below the 25 newest, still listed.
      expect(await section.textContent()).toContain(TEAM.old.version);
      // The threshold is the viewer's choice.
      await section.locator('select[name="stale-after"]').selectOption('1440');
      expect(await section.locator('li[data-stale="true"]').count()).toBe(1);
      await section.locator('select[name="stale-after"]').selectOption('15');
      expect(await section.locator('li[data-stale="true"]').count()).toBe(2);
    });
  });

  it('shows when a deployment succeeded, and previous/next on the deployment page', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/workload/notifications?status=successful'));
      const row = page.locator('.deployment-table tbody tr', { hasText: '4.30.0' }).first();
      await expect.poll(() => row.locator('td[data-label="Succeeded"] time').count()).toBe(1);
      expect(await row.locator('td[data-label="Succeeded"]').textContent()).toMatch(/after \d+ h/);

      // A storefront dev deployment in the middle of its 300: previous and next in its environment.
      const list = await api('/deployments?workload=storefront&platform=development&environment=dev&limit=3');
      const middle = list.items[1];
      await page.goto(ui(`/deployment/${middle.versions_id}`));
      await page.locator('a[rel="prev"]').waitFor();
      expect(await page.locator('a[rel="prev"]').textContent()).toContain(list.items[2].version);
      expect(await page.locator('a[rel="next"]').textContent()).toContain(list.items[0].version);
      expect(await page.locator('.deployment-neighbours').textContent()).toMatch(/now runs|Still runs/);
      await page.locator('a[rel="next"]').click();
      await page.waitForURL(new RegExp(`/deployment/${list.items[0].versions_id}$`));
    });
  });
});

describe('phones', () => {
  const phone: WatchOptions = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

  it('shows 25 deployments as compact cards in about two screens, filters behind a button, no sideways scroll', async () => {
    await onPage(async (page) => {
      await page.goto(ui('/'));
      await page.locator('.deployment-table tbody tr').first().waitFor();
      const table = (await page.locator('.deployment-table').boundingBox())!;
      expect(await page.locator('.deployment-table tbody tr').count()).toBe(25);
      expect(table.height).toBeLessThan(2.1 * 844);
      // One line each: the version, status, place and age side by side, none wrapped under another.
      const lines = await page.locator('.deployment-table tbody tr').evaluateAll((rows) =>
        rows.map((row) => {
          const boxes = [...row.children]
            .filter((cell) => getComputedStyle(cell).display !== 'none')
            .map((cell) => cell.getBoundingClientRect());
          // Side by side: some height is common to every cell's box.
          const shared =
            Math.min(...boxes.map((box) => box.bottom)) - Math.max(...boxes.map((box) => box.top));
          return { cells: boxes.length, oneLine: shared > 0 };
        }),
      );
      expect(
        lines.every((line) => line.cells === 4 && line.oneLine),
        JSON.stringify(lines),
      ).toBe(true);
      const first = page.locator('.deployment-table tbody tr').first();
      expect(await first.locator('.deployment-table__age').textContent()).toMatch(
        /ago\s*\d\d-\d\d \d\d:\d\d/,
      );
      expect(await scrollsSideways(page)).toBe(false);

      await page.goto(ui('/workload/storefront'));
      await page.locator('.deployment-table tbody tr').first().waitFor();
      const filters = page.locator('#workload-filters');
      expect(await filters.isVisible()).toBe(false);
      await page.getByRole('button', { name: /^Filters/ }).click();
      expect(await filters.isVisible()).toBe(true);
      for (const path of ['/matrix', '/dora']) {
        await page.goto(ui(path));
        await page.waitForLoadState('networkidle');
        expect(await scrollsSideways(page), path).toBe(false);
      }
    }, phone);
  });
});

describe('accessibility', () => {
  const pages = async () => {
    const deployment = ids[500]!;
    return [
      '/',
      '/dashboards/deployments',
      '/matrix',
      `/matrix?workload=${TEAM.wideWorkload}&open=production`,
      '/dora',
      `/workload/${TEAM.wideWorkload}`,
      '/workload/storefront/platform/development',
      '/workload/storefront/platform/development/environment/dev',
      `/deployment/${deployment}`,
      '/search?q=7.4',
      '/api',
      '/no/such/page',
    ];
  };

  for (const colorScheme of ['light', 'dark'] as const) {
    for (const viewport of [
      { width: 1280, height: 900 },
      { width: 390, height: 844 },
    ]) {
      it(`passes axe (WCAG 2.1 AA, target size) on every page, ${colorScheme}, ${viewport.width} px`, async () => {
        await onPage(
          async (page) => {
            for (const path of await pages()) {
              await page.goto(ui(path));
              await page.waitForLoadState('networkidle');
              expect(await axeViolations(page), path).toEqual([]);
            }
          },
          // axe is injected as a script: the server's Content-Security-Policy would refuse it.
          { colorScheme, viewport, expectFailedApiCalls: true, bypassCSP: true },
        );
      }, 240_000);
    }
  }
});
