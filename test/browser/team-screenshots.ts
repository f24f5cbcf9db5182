// Screenshots of the pages at a team's scale (docs/screenshots/team-*.png), light and dark, desktop and
// phone: `npx tsx test/browser/team-screenshots.ts` after `npm run build`. Starts its own server on a
// throwaway SQLite file and records the team's history (test/browser/team-dataset.ts) through the API.
import { chromium } from 'playwright-core';
import { findChromium } from '../helpers/chromium.js';
import { startServerProcess } from '../helpers/server-process.js';
import { recordTeam, TEAM } from './team-dataset.js';

const OUT = process.argv[2] ?? 'docs/screenshots';
const server = await startServerProcess();
try {
  await recordTeam(server.url, new Date());
  const browser = await chromium.launch({
    executablePath: (await findChromium()).path,
    args: ['--no-sandbox'],
  });
  const shots: Array<{ name: string; path: string; phone?: boolean; fullPage?: boolean; click?: string }> = [
    { name: 'team-home', path: '/ui/' },
    { name: 'team-matrix', path: '/ui/matrix' },
    {
      name: 'team-matrix-cell',
      path: `/ui/matrix?workload=${TEAM.wideWorkload}`,
      click: `tr[data-workload="${TEAM.wideWorkload}"] td[data-summary="production"] button`,
    },
    { name: 'team-dora', path: '/ui/dora' },
    { name: 'team-workload', path: `/ui/workload/${TEAM.wideWorkload}`, fullPage: true },
    { name: 'team-phone-home', path: '/ui/', phone: true },
    { name: 'team-phone-workload', path: '/ui/workload/storefront', phone: true },
  ];
  for (const scheme of ['light', 'dark'] as const) {
    for (const shot of shots) {
      const context = await browser.newContext({
        colorScheme: scheme,
        timezoneId: 'Europe/Paris',
        locale: 'en-US',
        ...(shot.phone
          ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
          : { viewport: { width: 1440, height: 900 } }),
      });
      const page = await context.newPage();
      await page.goto(server.url + shot.path);
      await page.waitForLoadState('networkidle');
      if (shot.click) await page.locator(shot.click).click();
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${OUT}/${shot.name}-${scheme}.png`, fullPage: shot.fullPage ?? false });
      await context.close();
    }
  }
  await browser.close();
} finally {
  await server.stop();
}
