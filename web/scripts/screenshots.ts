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

/** The pages of the insights: what runs where, DORA figures, one deployment, filters, the API reference. */
function insightShots(deploymentId: number): Shot[] {
  return [
    { name: 'matrix', path: '/ui/matrix', ready: '.matrix table' },
    {
      name: 'dora',
      path: '/ui/dora',
      ready: '.dora-table table',
      fullPage: true,
      before: async (page) => {
        await page.waitForSelector('.dora-trend svg rect');
      },
    },
    { name: 'deployment', path: `/ui/deployment/${deploymentId}`, ready: '.status-timeline' },
    {
      name: 'environment-filtered',
      path: `/ui/workload/${workload}/platform/${platform}/environment/${environment}?status=failed`,
      ready: '.deployment-history__summary',
    },
    { name: 'api', path: '/ui/api', ready: '.api-operation' },
    {
      name: 'api-operation',
      path: '/ui/api#get-api-v1-read-matrix',
      ready: '.api-operation',
      // The page scrolls to the endpoint once the document is shown.
      before: (page) => page.waitForTimeout(300),
    },
    {
      name: 'phone-matrix',
      path: '/ui/matrix',
      ready: '.matrix table',
      viewport: { width: 390, height: 844 },
    },
  ];
}

async function post(server: ServerProcess, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

/**
 * A few deployments on top of the demo ones, for the insights pages: a rollback recorded as ongoing then
 * deployed (a status timeline, a deployment duration), another deployment measured the same way, and one
 * still going. Resolves to the rollback's id.
 */
async function recordInsights(server: ServerProcess): Promise<number> {
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const where = { workload: 'checkout', platform: 'production', environment: 'prod-eu' };
  const latest = await fetch(`${server.url}/api/v1/read/environment/latest?${new URLSearchParams(where)}`);
  const { version } = (await latest.json()) as { version: string };
  const [major = 1, minor = 1] = version.split('.').map(Number);
  const lower = `${major}.${Math.max(0, minor - 1)}.0`;
  const raw = JSON.stringify({ commit: '5e1f0c2', reason: `roll back ${version}`, triggeredBy: 'ci' });
  const { versionId } = (await post(server, '/create', {
    ...where,
    version: lower,
    status: 'ongoing',
    raw,
    changelogURL: `https://git.example.com/checkout/releases/${lower}`,
    date: at(50),
  })) as { versionId: number };
  await post(server, '/update/status', { versionId, status: 'deployed' });

  const measured = (await post(server, '/create', {
    workload: 'search',
    platform: 'production',
    environment: 'prod-eu',
    version: '3.9.0',
    status: 'ongoing',
    date: at(35),
  })) as { versionId: number };
  await post(server, '/update/status', { versionId: measured.versionId, status: 'deployed' });
  await post(server, '/create', {
    workload: 'payments',
    platform: 'staging',
    environment: 'integration',
    version: '3.12.0',
    status: 'ongoing',
    date: at(20),
  });
  return versionId;
}

async function takeShots(
  browser: Browser,
  server: ServerProcess,
  outDir: string,
  names: string[],
  shots: Shot[],
) {
  for (const theme of ['light', 'dark'] as const) {
    for (const shot of shots) {
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
    const rollbackId = await recordInsights(server);
    const written: string[] = [];
    await takeShots(browser, server, outDir, written, [...SHOTS, ...insightShots(rollbackId)]);

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
