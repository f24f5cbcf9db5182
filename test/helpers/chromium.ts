// Which Chromium the browser tests drive. A fresh clone must pass `npm ci && npm test` with no browser
// installed, so after CHROMIUM_PATH and the browsers a machine usually has, the tests fall back to the build
// that the @sparticuz/chromium devDependency ships inside its npm package (playwright-core downloads no
// browser, and this network reaches no download site anyway).
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Names a system Chromium or Chrome goes by on PATH (Debian, Ubuntu, Google's packages). */
const COMMAND_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
/** Where a browser lives when it is not on PATH. */
const USUAL_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

export interface FoundChromium {
  path: string;
  /** How it was found, for the run's log. */
  source: 'CHROMIUM_PATH' | 'machine' | '@sparticuz/chromium';
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The Chromium to launch: CHROMIUM_PATH when set (an error when it is not an executable file: the person who
 * set it means that one), else the first browser found on PATH or at a usual place, else the packaged build
 * (unpacked on first use into the temp folder, a few seconds, then reused).
 */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<FoundChromium> {
  const chosen = env.CHROMIUM_PATH?.trim();
  if (chosen) {
    if (!isExecutableFile(chosen)) throw new Error(`CHROMIUM_PATH=${chosen} is not an executable file`);
    return { path: chosen, source: 'CHROMIUM_PATH' };
  }
  const onPath = (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .flatMap((dir) => COMMAND_NAMES.map((name) => join(dir, name)));
  const found = [...onPath, ...USUAL_PATHS].find(isExecutableFile);
  if (found) return { path: found, source: 'machine' };
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      'no Chromium or Chrome found (PATH, the usual places) and the packaged build is for Linux x64 only: install one or set CHROMIUM_PATH',
    );
  }
  const { default: packaged } = await import('@sparticuz/chromium');
  return { path: await packaged.executablePath(), source: '@sparticuz/chromium' };
}
