// Takes the screenshots in docs/screenshots/: every page, light and dark, against a real server seeded with the
// demo deployments of the browser tests. Run after `npm run build`:
//   npx tsx web/scripts/screenshots.ts [--out docs/screenshots]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  demoDeployments,
  JSON_PAYLOAD,
  LONG_HISTORY,
  recordDeployments,
} from '../../test/browser/demo-deployments';
import { startServerProcess, type ServerProcess } from '../../test/helpers/server-process';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Shot {
  name: string;
  path: string;
  /** What to wait for before the picture: the page's data, not its loading state. */
  ready: string;
  viewport?: { width: number; height: number };
  /** The whole page rather than the first screen. */
  fullPage?: boolean;
  before?: (page: Page) => Promise<void>;
}

const { workload, platform, environment } = LONG_HISTORY;
const enc = encodeURIComponent;

const SHOTS: Shot[] = [
  { name: 'home', path: '/ui/', ready: 'table tbody tr' },
  {
    name: 'statistics',
    path: '/ui/dashboards/deployments',
    ready: '.stacked-bar-chart svg rect',
    fullPage: true,
  },
  { name: 'platform', path: `/ui/workload/${workload}/platform/${platform}`, ready: 'table tbody tr' },
  {
    name: 'environment',
    path: `/ui/workload/${workload}/platform/${platform}/environment/${environment}/2`,
    ready: 'table tbody tr',
  },
  {
    name: 'raw',
    path: `/ui/workload/${JSON_PAYLOAD.workload}/platform/${JSON_PAYLOAD.platform}/environment/${JSON_PAYLOAD.environment}/raw/${enc(JSON_PAYLOAD.version)}`,
    ready: '.json-key',
  },
  { name: 'not-found', path: '/ui/no/such/page', ready: 'h1' },
  {
    name: 'menu-filtered',
    path: '/ui/',
    ready: 'table tbody tr',
    before: async (page) => {
      await page.fill('#menu-filter', 'prod');
    },
  },
  {
    name: 'phone-home',
    path: '/ui/',
    ready: 'table tbody tr',
    viewport: { width: 390, height: 844 },
  },
  {
    name: 'phone-menu',
    path: `/ui/workload/${workload}/platform/${platform}`,
    ready: 'table tbody tr',
    viewport: { width: 390, height: 844 },
    before: async (page) => {
      await page.click('.app-header__menu-button');
    },
  },
];

async function takeShots(browser: Browser, server: ServerProcess, outDir: string, names: string[]) {
  for (const theme of ['light', 'dark'] as const) {
    for (const shot of SHOTS) {
      const context = await browser.newContext({
        viewport: shot.viewport ?? { width: 1280, height: 860 },
        colorScheme: theme,
        timezoneId: 'Europe/Paris',
        locale: 'en-GB',
        reducedMotion: 'reduce',
      });
      const page = await context.newPage();
      await page.goto(`${server.url}${shot.path}`);
      await page.waitForSelector(shot.ready);
      await shot.before?.(page);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const file = join(outDir, `${shot.name}-${theme}.png`);
      await page.screenshot({ path: file, fullPage: shot.fullPage ?? false });
      names.push(file);
      await context.close();
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/screenshots' } } });
  const outDir = values.out ?? 'docs/screenshots';
  mkdirSync(outDir, { recursive: true });

  const server = await startServerProcess();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    // The hostile strings of the tests would only make the pictures confusing.
    await recordDeployments(server.url, demoDeployments(new Date(), { hostile: false }));
    const written: string[] = [];
    await takeShots(browser, server, outDir, written);

    // The empty database, on a second server.
    const empty = await startServerProcess();
    try {
      for (const theme of ['light', 'dark'] as const) {
        const page = await browser.newPage({
          viewport: { width: 1280, height: 700 },
          colorScheme: theme,
          timezoneId: 'Europe/Paris',
          locale: 'en-GB',
        });
        await page.goto(`${empty.url}/ui/`);
        await page.waitForSelector('.first-deployment-hint');
        const file = join(outDir, `empty-${theme}.png`);
        await page.screenshot({ path: file });
        written.push(file);
        await page.close();
      }
    } finally {
      await empty.stop();
    }
    console.log(`wrote ${written.length} screenshots:\n  ${written.join('\n  ')}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
