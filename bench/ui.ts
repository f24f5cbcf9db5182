// The web UI's weight and speed: the gzipped size of what the home page loads before it can render (the
// scripts and stylesheets index.html names), and the time Chromium takes to show the home page's table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { median } from './load.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export interface InitialAssets {
  files: string[];
  /** Bytes gzipped at the highest level, summed over JS and CSS. */
  gzipBytes: number;
}

/** The JS and CSS that dist/web/index.html loads up front (modulepreloads included), and their gzipped size. */
export function initialAssets(webRoot = 'dist/web'): InitialAssets {
  const html = readFileSync(join(webRoot, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="\/ui\/([^"]+\.(?:js|css))"/g)].map(
    (match) => match[1] ?? '',
  );
  const gzipBytes = files
    .map((file) => gzipSync(readFileSync(join(webRoot, file)), { level: 9 }).length)
    .reduce((total, size) => total + size, 0);
  return { files, gzipBytes };
}

export interface RenderTimes {
  /** First contentful paint, median over the loads, ms from navigation start. */
  firstPaintMs: number;
  /** The first row of the deployments table in the document, median, ms from navigation start. */
  tableMs: number;
  loads: number;
  chromium: string;
}

/** Loads `${serverUrl}/ui/` `loads` times in fresh browser contexts (cold cache) and times the first render. */
export async function homeRenderTimes(serverUrl: string, loads: number): Promise<RenderTimes> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const firstPaints: number[] = [];
    const tables: number[] = [];
    for (let load = 0; load < loads; load++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      // Noted by the page itself the moment Vue inserts the first row, so no polling delay is counted.
      await page.addInitScript(() => {
        new MutationObserver((_changes, observer) => {
          if (document.querySelector('tr[data-deployment-id]')) {
            (window as unknown as { tableShownAt: number }).tableShownAt = performance.now();
            observer.disconnect();
          }
        }).observe(document, { childList: true, subtree: true });
      });
      await page.goto(`${serverUrl}/ui/`);
      await page.waitForSelector('tr[data-deployment-id]');
      const times = await page.evaluate(() => ({
        table: (window as unknown as { tableShownAt: number }).tableShownAt,
        firstPaint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
      }));
      tables.push(times.table);
      firstPaints.push(times.firstPaint);
      await context.close();
    }
    return { firstPaintMs: median(firstPaints), tableMs: median(tables), loads, chromium: browser.version() };
  } finally {
    await browser.close();
  }
}
