// Chromium for the browser tests, driven by playwright-core, with every page watched for what must never
// happen: a request leaving the server, a console error, an uncaught exception, a dialog. Which Chromium
// (CHROMIUM_PATH, the machine's, else the packaged one) is decided once per run: test/helpers/chromium.ts.
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches the run's Chromium headless (--no-sandbox: as root, Chromium refuses to start without it). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = inject('chromiumPath');
  if (!executablePath) throw new Error(`no Chromium for the browser tests: ${inject('chromiumProblem')}`);
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

export interface WatchedPage {
  page: Page;
  /** Everything that went wrong so far; a test ends by expecting it empty. */
  problems: string[];
  close(): Promise<void>;
}

export interface WatchOptions extends BrowserContextOptions {
  /**
   * API answers the test provokes on purpose (a 404 page, a simulated 500): Chromium logs each failed fetch as a
   * console error, which is then expected rather than a problem.
   */
  expectFailedApiCalls?: boolean;
}

/** A fresh context and page in the viewer's setting used by the tests (Tokyo time, English), watched. */
export async function openWatchedPage(
  browser: Browser,
  serverUrl: string,
  options: WatchOptions = {},
): Promise<WatchedPage> {
  const { expectFailedApiCalls = false, ...contextOptions } = options;
  const context = await browser.newContext({ timezoneId: 'Asia/Tokyo', locale: 'en-US', ...contextOptions });
  const page = await context.newPage();
  const problems: string[] = [];
  const serverHost = new URL(serverUrl).host;

  page.on('request', (request) => {
    const url = new URL(request.url());
    const local = url.host === serverHost || url.protocol === 'data:' || url.protocol === 'blob:';
    if (!local) problems.push(`request left the server: ${request.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const failedApiCall =
      message.text().startsWith('Failed to load resource') && message.location().url.includes('/api/v1/');
    if (expectFailedApiCalls && failedApiCall) return;
    problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog opened: ${dialog.type()} ${dialog.message()}`);
    void dialog.dismiss();
  });

  return { page, problems, close: () => context.close() };
}

/** Runs `test` on a fresh watched page, then checks that nothing went wrong in the browser. */
export async function onWatchedPage(
  browser: Browser,
  serverUrl: string,
  test: (page: Page) => Promise<void>,
  options: WatchOptions = {},
): Promise<void> {
  const watched = await openWatchedPage(browser, serverUrl, options);
  try {
    await test(watched.page);
  } finally {
    await watched.close();
  }
  expect(watched.problems).toEqual([]);
}
