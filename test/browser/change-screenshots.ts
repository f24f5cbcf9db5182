// Screenshots of the parts of the UI that show a deployment's change (docs/screenshots/change-*.png), light
// and dark: `npx tsx test/browser/change-screenshots.ts` after `npm run build`. Starts its own server on a
// throwaway SQLite file and records test/browser/change-seed.ts through the API.
import { chromium } from 'playwright-core';
import { findChromium } from '../helpers/chromium.js';
import { startServerProcess } from '../helpers/server-process.js';
import { CHANGE_WORKLOAD, recordChanges } from './change-seed.js';

const OUT = process.argv[2] ?? 'docs/screenshots';
const server = await startServerProcess();
try {
  const ids = await recordChanges(server.url, Date.now());
  const browser = await chromium.launch({
    executablePath: (await findChromium()).path,
    args: ['--no-sandbox'],
  });
  const shots = [
    {
      name: 'change-deployment',
      path: `/ui/deployment/${ids.staging}`,
      selector: '[data-testid="deployment-change"]',
    },
    {
      name: 'change-compare',
      path: `/ui/workload/${CHANGE_WORKLOAD}/compare?from=staging/staging&to=production/production`,
    },
    { name: 'change-matrix', path: `/ui/matrix?workload=${CHANGE_WORKLOAD}` },
  ];
  for (const scheme of ['light', 'dark'] as const) {
    for (const shot of shots) {
      const context = await browser.newContext({
        colorScheme: scheme,
        timezoneId: 'Europe/Paris',
        locale: 'en-US',
        viewport: { width: 1280, height: 800 },
      });
      const page = await context.newPage();
      await page.goto(server.url + shot.path);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300);
      if (shot.selector) await page.locator(shot.selector).scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${OUT}/${shot.name}-${scheme}.png` });
      await context.close();
    }
  }
  await browser.close();
} finally {
  await server.stop();
}
