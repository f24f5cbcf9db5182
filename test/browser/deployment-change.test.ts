// The parts of the UI that show a deployment's change (issue 12), in Chromium against a real server: the
// deployment page's commit, links and changes with lead times; the matrix's short SHA and environment link;
// choosing two environments to open the comparison page; DORA's four keys with lead time.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { launchChromium, onWatchedPage } from './browser-session.js';
import { CHANGE_WORKLOAD, recordChanges, REPOSITORY, sha } from './change-seed.js';

let server: ServerProcess;
let browser: Browser;
let ids: { staging: number; production: number };

beforeAll(async () => {
  [server, browser] = await Promise.all([startServerProcess(), launchChromium()]);
  ids = await recordChanges(server.url, Date.now());
  // A deployment whose repository is on no known host: its commit stays text.
  await fetch(`${server.url}/api/v1/create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      workload: 'elsewhere',
      platform: 'prod',
      environment: 'prod',
      version: '1',
      commit: 'abcdef1234567',
      repository: 'https://git.example.org/acme/elsewhere',
    }),
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const ui = (path: string) => `${server.url}/ui${path}`;

describe('a deployment that knows its change', () => {
  it('shows commit, ref, deployer, links, description and the changes with their lead times', async () => {
    await onWatchedPage(browser, server.url, async (page) => {
      await page.goto(ui(`/deployment/${ids.staging}`));
      const change = page.getByTestId('deployment-change');
      await change.waitFor();
      const commit = change.getByTestId('commit').locator('a');
      expect(await commit.textContent()).toBe(sha(4).slice(0, 7));
      expect(await commit.getAttribute('href')).toBe(`${REPOSITORY}/commit/${sha(4)}`);
      expect(await change.getByTestId('deployer').textContent()).toBe('ada');
      expect(await change.getByTestId('log-link').getAttribute('href')).toBe(
        'https://github.com/acme/checkout/actions/runs/1042',
      );
      expect(await change.getByTestId('environment-link').getAttribute('href')).toBe(
        'https://staging.checkout.example.com/',
      );
      expect(await change.textContent()).toContain('Gift cards behind a flag; basket speed-up.');
      const rows = change.getByTestId('changes').locator('tbody tr');
      expect(await rows.count()).toBe(3);
      expect(await rows.first().textContent()).toContain('Speed up the basket page');
      // Committed 9, 20 and 30 hours before the deployment's first success (now).
      const leadTimes = await change.getByTestId('lead-time').allTextContents();
      expect(leadTimes.map((text) => text.trim())).toEqual(['9 h', '20 h', '1 d 6 h']);
      // Every link from stored data is http or https.
      for (const href of await change
        .locator('a')
        .evaluateAll((links) => links.map((a) => a.getAttribute('href')))) {
        expect(href).toMatch(/^https?:\/\//);
      }
      // Who set each status.
      expect(await page.locator('.status-timeline').textContent()).not.toContain('by ');
    });
  });

  it('leaves a commit of an unknown host as text', async () => {
    await onWatchedPage(browser, server.url, async (page) => {
      await page.goto(ui('/matrix?workload=elsewhere'));
      await page.locator('.matrix__commit code').waitFor();
      const id = await page.locator('.matrix__current a').first().getAttribute('href');
      await page.goto(`${server.url}${id}`);
      const commit = page.getByTestId('commit');
      await commit.waitFor();
      expect(await commit.locator('a').count()).toBe(0);
      expect(await commit.textContent()).toContain('abcdef1');
    });
  });

  it(
    'shows the short SHA and the environment link in the matrix, and opens the comparison',
    { timeout: 90_000 },
    async () => {
      await onWatchedPage(browser, server.url, async (page) => {
        await page.goto(ui(`/matrix?workload=${CHANGE_WORKLOAD}`));
        const production = page.locator('td[data-environment="production/production"]');
        await production.waitFor();
        expect(await production.locator('.matrix__commit code').textContent()).toBe(sha(1).slice(0, 7));
        expect(await production.getByTestId('environment-url').getAttribute('href')).toBe(
          'https://checkout.example.com/',
        );
        expect(await page.locator('.matrix-page__compare-hint').count()).toBe(1);

        // Choose the two environments: the link compares from the earlier tier to the later.
        await page.getByTestId('environment-chooser').click();
        await page.locator('input[data-environment="development/dev"]').uncheck();
        await page.getByTestId('compare-link').click();
        await page.getByTestId('comparison').waitFor();
        expect(new URL(page.url()).searchParams.get('from')).toBe('staging/staging');
        expect(new URL(page.url()).searchParams.get('to')).toBe('production/production');
        const pending = page.getByTestId('pending-change');
        expect(await pending.count()).toBe(3);
        expect(await pending.first().textContent()).toContain('Speed up the basket page');
        expect(await pending.first().locator('a').first().getAttribute('href')).toBe(
          `${REPOSITORY}/commit/${sha(4)}`,
        );
        expect(await pending.first().textContent()).toContain('2.4.0');
      });
    },
  );

  it('says so when a promotion would ship nothing', async () => {
    await onWatchedPage(browser, server.url, async (page) => {
      await page.goto(
        ui(`/workload/${CHANGE_WORKLOAD}/compare?from=production/production&to=staging/staging`),
      );
      await page.getByTestId('nothing-to-ship').waitFor();
    });
  });

  it("shows DORA's four keys with lead time for changes", async () => {
    await onWatchedPage(browser, server.url, async (page) => {
      await page.goto(ui(`/dora?workload=${CHANGE_WORKLOAD}&tier=all`));
      const tile = page.locator('.dora-tile[data-metric="leadTime"]');
      await tile.waitFor();
      expect(await tile.textContent()).toContain('Lead time for changes');
      expect(await tile.textContent()).toMatch(/median over 11 commits/);
      const labels = await page.locator('.dora-tile dt').allTextContents();
      expect(labels).toEqual(
        expect.arrayContaining([
          'Deployment frequency',
          'Lead time for changes',
          'Change failure rate',
          'Failed deployment recovery time',
          'Deployment duration',
        ]),
      );
    });
  });
});
