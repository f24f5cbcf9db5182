// Deployments that know their change (issue 12), for the browser tests and screenshots: a workload whose
// staging is ahead of production by three commits, recorded through the API with backfilled dates.
import { createHash } from 'node:crypto';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export const CHANGE_WORKLOAD = 'checkout';
export const REPOSITORY = 'https://github.com/acme/checkout';
/** A realistic SHA-1, the same for the same `n`. */
export const sha = (n: number) => createHash('sha1').update(`checkout commit ${n}`).digest('hex');

const COMMITS = [
  { title: 'Accept gift cards at checkout', author: 'Ada Lovelace' },
  { title: 'Fix rounding of VAT on discounted items', author: 'Grace Hopper' },
  { title: 'Show the delivery date before payment', author: 'Alan Turing' },
  { title: 'Retry card authorisations once on timeout', author: 'Ada Lovelace' },
  { title: 'Speed up the basket page (one query fewer)', author: 'Edsger Dijkstra' },
];

/** Records the workload's history on `url`; returns the id of staging's current deployment. */
export async function recordChanges(
  url: string,
  now: number,
): Promise<{ staging: number; production: number }> {
  const commit = (n: number, agoMs: number) => ({
    commit: sha(n),
    committedAt: new Date(now - agoMs).toISOString(),
    title: COMMITS[n]?.title,
    author: COMMITS[n]?.author,
  });
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${url}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return response.json() as Promise<{ versionId: number }>;
  };
  const base = { workload: CHANGE_WORKLOAD, repository: REPOSITORY, ref: 'main', deployer: 'ada' };
  await post('/create', {
    ...base,
    platform: 'development',
    environment: 'dev',
    version: '2.4.0',
    commit: sha(4),
    date: new Date(now - 8 * HOUR).toISOString(),
    changes: [commit(4, 9 * HOUR), commit(3, 20 * HOUR), commit(2, 30 * HOUR), commit(1, 3 * DAY + 5 * HOUR)],
  });
  await post('/create', {
    ...base,
    platform: 'staging',
    environment: 'staging',
    version: '2.3.0',
    commit: sha(1),
    date: new Date(now - 3 * DAY).toISOString(),
    environmentURL: 'https://staging.checkout.example.com',
    changes: [commit(1, 3 * DAY + 5 * HOUR), commit(0, 4 * DAY)],
  });
  const production = await post('/create', {
    ...base,
    platform: 'production',
    environment: 'production',
    version: '2.3.0',
    commit: sha(1),
    deployer: 'grace',
    date: new Date(now - 2 * DAY).toISOString(),
    environmentURL: 'https://checkout.example.com',
    logURL: 'https://github.com/acme/checkout/actions/runs/1001',
    changes: [commit(1, 3 * DAY + 5 * HOUR), commit(0, 4 * DAY)],
  });
  const staging = await post('/create', {
    ...base,
    platform: 'staging',
    environment: 'staging',
    version: '2.4.0',
    commit: sha(4),
    status: 'ongoing',
    date: new Date(now - 5 * HOUR).toISOString(),
    environmentURL: 'https://staging.checkout.example.com',
    logURL: 'https://github.com/acme/checkout/actions/runs/1042',
    description: 'Gift cards behind a flag; basket speed-up.',
    changes: [commit(4, 9 * HOUR), commit(3, 20 * HOUR), commit(2, 30 * HOUR)],
  });
  await post('/update/status', { versionId: staging.versionId, status: 'deployed' });
  return { staging: staging.versionId, production: production.versionId };
}
