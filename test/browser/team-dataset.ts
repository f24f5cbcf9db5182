// A team's history, recorded through the API, for the browser tests and screenshots of issue 18: six
// workloads, about 925 deployments over 60 days, one workload (edge-proxy) with 60 environments (56 points of
// presence), one environment (storefront development/dev) with 300 deployments, and deployments in progress:
// one fresh, one stale (over an hour), one older than the 25 newest. Deterministic for a given `now`.
import { mulberry32 } from '../helpers/random.js';

export interface TeamDeployment {
  workload: string;
  platform: string;
  environment: string;
  version: string;
  status: string;
  /** ISO 8601. */
  date: string;
  /** Set afterwards through POST /update/status (the server's clock dates it). */
  then?: string;
  /** Where the environment answers, as a pipeline sends it. */
  environmentURL?: string;
}

export const TEAM = {
  busyEnvironment: { workload: 'storefront', platform: 'development', environment: 'dev', count: 300 },
  wideWorkload: 'edge-proxy',
  pops: 56,
  /** The edge-proxy release every point of presence runs but the last two, where it failed. */
  popVersion: '7.4.0',
  workloads: ['billing', 'edge-proxy', 'identity', 'notifications', 'search', 'storefront'],
  stale: { workload: 'billing', platform: 'production', environment: 'prod', version: '5.9.0' },
  fresh: { workload: 'search', platform: 'production', environment: 'prod', version: '3.20.0' },
  /** Ongoing two days ago: far below the 25 newest deployments. */
  old: { workload: 'identity', platform: 'staging', environment: 'staging', version: '2.14.0-rc.1' },
} as const;

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export const popName = (index: number) => `pop-${String(index + 1).padStart(2, '0')}`;
/** The address every deployment to a point of presence sends as its environmentURL. */
export const popUrl = (index: number) => `https://${popName(index)}.edge.example.com/`;

/** Every deployment of the team's 60 days, oldest first. */
export function teamDeployments(now: Date): TeamDeployment[] {
  const random = mulberry32(18);
  const at = (ago: number) => new Date(now.getTime() - ago).toISOString();
  const list: TeamDeployment[] = [];
  const status = () => {
    const r = random();
    return r < 0.86 ? 'deployed' : r < 0.93 ? 'completed' : 'failed';
  };

  // A pipeline: each release goes dev → staging → production, a day or two apart; `releases` over 60 days.
  const pipeline = (
    workload: string,
    major: number,
    releases: number,
    stages: Array<[platform: string, environment: string, delayDays: number]>,
  ) => {
    for (let release = 0; release < releases; release += 1) {
      const start = 60 * DAY - ((release + 0.5) * 58 * DAY) / releases;
      for (const [platform, environment, delay] of stages) {
        const ago = start - delay * DAY - random() * 2 * HOUR;
        if (ago <= 3 * HOUR) continue;
        list.push({
          workload,
          platform,
          environment,
          version: `${major}.${release}.0`,
          status: status(),
          date: at(ago),
        });
      }
    }
  };

  // storefront: 300 to development/dev (five a day), then staging and two production regions.
  for (let index = 0; index < TEAM.busyEnvironment.count; index += 1) {
    list.push({
      ...TEAM.busyEnvironment,
      version: `12.${Math.floor(index / 10)}.${index % 10}`,
      status: status(),
      date: at(60 * DAY - index * 4.7 * HOUR - HOUR),
    });
  }
  pipeline('storefront', 12, 30, [
    ['staging', 'staging', 0.5],
    ['production', 'prod-eu', 1],
    ['production', 'prod-us', 1.05],
  ]);

  // edge-proxy: dev, staging, preprod, canary, then a rollout to 56 points of presence within the hour.
  pipeline('edge-proxy', 7, 20, [
    ['development', 'dev', 0],
    ['staging', 'staging', 0.5],
    ['staging', 'preprod', 1],
    ['production', 'canary', 1.5],
  ]);
  const rollouts = [40, 25, 12, 2];
  rollouts.forEach((daysAgo, index) => {
    const version = index === rollouts.length - 1 ? TEAM.popVersion : `7.${index + 1}.0`;
    for (let pop = 0; pop < TEAM.pops; pop += 1) {
      const failed = index === rollouts.length - 1 && pop >= TEAM.pops - 2;
      // The last rollout skipped pops 40..53: they still run the rollout before.
      if (index === rollouts.length - 1 && pop >= 40 && pop < TEAM.pops - 2) continue;
      list.push({
        workload: TEAM.wideWorkload,
        platform: 'production',
        environment: popName(pop),
        version,
        status: failed ? 'failed' : 'deployed',
        date: at(daysAgo * DAY - pop * 50_000),
        environmentURL: popUrl(pop),
      });
    }
  });

  pipeline('billing', 5, 22, [
    ['development', 'dev', 0],
    ['staging', 'staging', 1],
    ['production', 'prod', 2],
  ]);
  pipeline('search', 3, 20, [
    ['development', 'dev', 0],
    ['testing', 'qa', 0.5],
    ['production', 'prod', 1.5],
  ]);
  pipeline('identity', 2, 14, [
    ['development', 'dev', 0],
    ['staging', 'staging', 2],
    ['production', 'prod', 3],
  ]);
  pipeline('notifications', 4, 24, [
    ['development', 'dev', 0],
    ['staging', 'uat', 1],
    ['production', 'prod', 2],
  ]);

  // In progress: stale (3 h), fresh (10 min), and one two days old under hundreds of newer ones.
  list.push({ ...TEAM.stale, status: 'ongoing', date: at(3 * HOUR) });
  list.push({ ...TEAM.fresh, status: 'ongoing', date: at(10 * 60_000) });
  list.push({ ...TEAM.old, status: 'ongoing', date: at(2 * DAY) });
  // Created ongoing, succeeded afterwards: its success time differs from its creation.
  list.push({
    workload: 'notifications',
    platform: 'production',
    environment: 'prod',
    version: '4.30.0',
    status: 'ongoing',
    date: at(2 * HOUR),
    then: 'deployed',
  });
  return list.sort((a, b) => a.date.localeCompare(b.date));
}

/** Records the team's history through the API (a token when writes need one); resolves to the ids, in order. */
export async function recordTeam(baseUrl: string, now: Date, token?: string): Promise<number[]> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return response.json() as Promise<unknown>;
  };
  const ids: number[] = [];
  for (const { then, ...deployment } of teamDeployments(now)) {
    const { versionId } = (await post('/create', deployment)) as { versionId: number };
    ids.push(versionId);
    if (then) await post('/update/status', { versionId, status: then });
  }
  return ids;
}
