// /stats/dora on random data (issue 15), on every dialect: each group of groupBy answers what its own request
// answers, and the tier counts and rollouts match a plain walk over what the test itself recorded. The data
// come from a seeded generator, so that a failure can be replayed; deployments are bunched in bursts of a
// few minutes to two hours, so that the one-hour rollout rule meets every case (within, at, past the hour).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUCCESSFUL_STATUSES } from '../../src/deployments/deployment.js';
import { inferTier } from '../../src/environments/tiers.js';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { mulberry32 } from '../helpers/random.js';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.parse('2025-06-30T12:00:00.000Z');
const DAYS = 30;

interface Recorded {
  workload: string;
  platform: string;
  environment: string;
  date: number;
  status: string;
}

describe.each(DIALECTS)('DORA on random data on %s', (dialect) => {
  let t: TestApp;
  let clock = NOW;
  const recorded: Recorded[] = [];

  beforeAll(async () => {
    t = await createTestApp(dialect, { deps: { now: () => new Date(clock) } });
    const random = mulberry32(15);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
    const plan: Array<Recorded & { later?: string; commit: string; committedAt: string }> = [];
    for (let burst = 0; burst < 20; burst += 1) {
      // A burst: one workload's release going round its environments, some of it outside the window.
      const workload = pick(['shop', 'blog', 'api']);
      let date = NOW - random() * (DAYS + 3) * DAY;
      // The burst's commit, some hours before; a later burst may bring an older one again.
      const release = pick([burst, burst, Math.floor(burst / 2)]);
      const commit = String(release).padStart(40, 'a');
      const committedAt = new Date(date - (release + 1) * 3 * HOUR).toISOString();
      for (let step = Math.floor(random() * 6); step >= 0; step -= 1) {
        plan.push({
          workload,
          platform: pick(['production', 'staging']),
          environment: pick(['production', 'production', 'eu-west', 'dev']),
          date: Math.round(date),
          status: pick(['deployed', 'deployed', 'deployed', 'completed', 'failed', 'ongoing']),
          later: pick([undefined, undefined, 'deployed', 'failed']),
          commit,
          committedAt,
        });
        // Exactly an hour now and then: the boundary belongs to the next rollout.
        date += pick([5 * MINUTE, 30 * MINUTE, HOUR, HOUR, 61 * MINUTE, 2 * HOUR]);
      }
    }
    plan.sort((a, b) => a.date - b.date);
    for (const { later, commit, committedAt, ...deployment } of plan) {
      clock = deployment.date;
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/create',
        payload: {
          workload: deployment.workload,
          platform: deployment.platform,
          environment: deployment.environment,
          status: deployment.status,
          version: `v${recorded.length}`,
          changes: [{ commit, committedAt }],
        },
      });
      expect(created.statusCode, created.body).toBe(201);
      let { status } = deployment;
      if (later && status === 'ongoing') {
        clock += 10 * MINUTE;
        const updated = await t.app.inject({
          method: 'POST',
          url: '/api/v1/update/status',
          payload: { versionId: created.json().versionId, status: later },
        });
        expect(updated.statusCode, updated.body).toBe(200);
        status = later;
      }
      recorded.push({ ...deployment, status });
    }
    clock = NOW;
  }, 120_000);
  afterAll(() => t?.close());

  const dora = async (query: Record<string, string>) => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/stats/dora', query });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  it('answers each group as its own request, with or without a tier', async () => {
    const answered: Array<Record<string, unknown>> = [];
    for (const groupBy of ['workload', 'environment']) {
      for (const tier of [undefined, 'production']) {
        const base = { days: String(DAYS), ...(tier ? { tier } : {}) };
        const { groups, ...whole } = await dora({ ...base, groupBy });
        expect(whole).toEqual(await dora(base));
        expect(groups.length).toBeGreaterThan(1);
        answered.push(...groups);
        for (const { workload, platform, environment, ...figures } of groups) {
          const scope = { workload, ...(platform ? { platform, environment } : {}) };
          expect(figures, JSON.stringify(scope)).toEqual(await dora({ ...base, ...scope }));
        }
      }
    }
    // Not vacuous: some group has each median.
    for (const median of ['medianLeadTimeSeconds', 'medianTimeToRestoreSeconds', 'medianDeploymentSeconds']) {
      expect(
        answered.some((group) => group[median] !== null && group[median] !== 0),
        median,
      ).toBe(true);
    }
  });

  it('counts a tier and its rollouts as a walk over the recorded deployments does', async () => {
    const from = NOW - DAYS * DAY;
    const inTier = recorded.filter(
      (deployment) =>
        deployment.date >= from && inferTier(deployment.platform, deployment.environment) === 'production',
    );
    const successes = inTier.filter((deployment) =>
      (SUCCESSFUL_STATUSES as readonly string[]).includes(deployment.status),
    );
    const rolloutStart = new Map<string, number>();
    let rollouts = 0;
    for (const { workload, date } of successes) {
      const start = rolloutStart.get(workload);
      if (start !== undefined && date - start < HOUR) continue;
      rolloutStart.set(workload, date);
      rollouts += 1;
    }
    expect(rollouts).toBeGreaterThan(1);
    expect(rollouts).toBeLessThan(successes.length);
    expect(await dora({ days: String(DAYS), tier: 'production' })).toMatchObject({
      deployments: inTier.length,
      successful: successes.length,
      failed: inTier.filter((deployment) => deployment.status === 'failed').length,
      rollouts,
    });
  });
});
