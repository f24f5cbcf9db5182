// Deployments for the browser tests and the screenshots: realistic, deterministic for a given `now`, spread over
// the last ten days, with one long history for pagination and a few hostile strings that must stay text.
import { mulberry32 } from '../helpers/random.js';

/** The body of a POST /api/v1/create. */
export interface DemoDeployment {
  workload: string;
  platform: string;
  environment: string;
  version: string;
  status: string;
  changelogURL?: string;
  raw?: string;
  /** ISO 8601. */
  date: string;
}

/** The environment with a long history: 55 deployments, so 3 pages of 25. */
export const LONG_HISTORY = {
  workload: 'payments',
  platform: 'production',
  environment: 'prod-eu',
  count: 55,
};

/** Strings that would run if the UI ever rendered data as HTML. */
export const HOSTILE = {
  workload: '<img src=x onerror=alert(1)>',
  platform: 'staging',
  environment: '<b>qa</b>',
  version: '<script>alert(2)</script>',
  status: '<i>rolled back</i>',
  changelogURL: 'javascript:alert(3)',
  raw: '<img src=x onerror=alert(4)><script>alert(5)</script>',
};

/** A JSON payload, recorded compact, shown pretty-printed. */
export const JSON_PAYLOAD = {
  workload: 'checkout',
  platform: 'production',
  environment: 'prod-us',
  version: '4.2.0',
  raw: '{"commit":"9f2c1e7","pipeline":{"id":4711,"url":"https://ci.example.com/4711"},"approved":true,"steps":["build","test","deploy"]}',
};

const COMBINATIONS = [
  ['checkout', 'development', 'dev'],
  ['checkout', 'staging', 'integration'],
  ['checkout', 'production', 'prod-eu'],
  ['checkout', 'production', 'prod-us'],
  ['payments', 'development', 'dev'],
  ['payments', 'staging', 'integration'],
  ['payments', 'production', 'prod-us'],
  ['search', 'development', 'dev'],
  ['search', 'staging', 'qa'],
  ['search', 'production', 'prod-eu'],
  ['identity', 'staging', 'integration'],
  ['identity', 'production', 'prod-eu'],
] as const;

function pickStatus(random: number, hoursAgo: number): string {
  if (hoursAgo < 3 && random < 0.5) return 'ongoing';
  if (random < 0.55) return 'deployed';
  if (random < 0.8) return 'completed';
  if (random < 0.92) return 'failed';
  if (random < 0.96) return 'ongoing';
  return 'rolled back';
}

/** Every demo deployment, oldest first, dated relative to `now`; the hostile one unless told otherwise. */
export function demoDeployments(now: Date, options: { hostile?: boolean } = {}): DemoDeployment[] {
  const random = mulberry32(42);
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3600_000).toISOString();
  const deployments: DemoDeployment[] = [];
  const minors = new Map<string, number>();

  // About 90 deployments over the last 9.5 days, spread over the combinations.
  for (let hoursAgo = 228; hoursAgo > 1; hoursAgo -= 2.5) {
    const [workload, platform, environment] = COMBINATIONS[Math.floor(random() * COMBINATIONS.length)]!;
    const key = `${workload}/${platform}`;
    const minor = (minors.get(key) ?? 0) + 1;
    minors.set(key, minor);
    deployments.push({
      workload,
      platform,
      environment,
      version: `${workload === 'identity' ? 2 : 3}.${minor}.${Math.floor(random() * 4)}`,
      status: pickStatus(random(), hoursAgo),
      changelogURL: random() < 0.7 ? `https://git.example.com/${workload}/releases/${minor}` : '',
      raw: JSON.stringify({ commit: Math.floor(random() * 0xfffffff).toString(16), triggeredBy: 'ci' }),
      date: at(hoursAgo + random()),
    });
  }

  // The long history, one a day going back 55 days (most of them before the statistics' window).
  for (let day = LONG_HISTORY.count; day >= 1; day -= 1) {
    deployments.push({
      ...LONG_HISTORY,
      version: `1.${LONG_HISTORY.count - day}.0`,
      status: day % 9 === 0 ? 'failed' : 'deployed',
      changelogURL: `https://git.example.com/payments/releases/1.${LONG_HISTORY.count - day}.0`,
      raw: `deployed by pipeline #${1000 + LONG_HISTORY.count - day}`,
      date: at(day * 24 + 5),
    });
  }

  deployments.push({ ...JSON_PAYLOAD, status: 'deployed', changelogURL: '', date: at(0.75) });
  if (options.hostile ?? true) deployments.push({ ...HOSTILE, date: at(0.5) });
  return deployments.sort((a, b) => a.date.localeCompare(b.date));
}

/** Records the deployments through the API, in order; resolves to their ids. */
export async function recordDeployments(
  baseUrl: string,
  deployments: readonly DemoDeployment[],
): Promise<number[]> {
  const ids: number[] = [];
  for (const deployment of deployments) {
    const response = await fetch(`${baseUrl}/api/v1/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(deployment),
    });
    if (response.status !== 201) {
      throw new Error(`create answered ${response.status}: ${await response.text()}`);
    }
    ids.push(((await response.json()) as { versionId: number }).versionId);
  }
  return ids;
}
