// Lead time for changes on fixed histories with known answers, on every dialect: a commit deployed twice,
// a failed deployment whose commit reaches the environment with a later success, a backfilled deployment,
// a commit that reached its environment before the window, the same commit in two environments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;
const NOW = Date.parse('2025-03-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const sha = (n: number) => `c0ffee${String(n).padStart(4, '0')}`;

describe.each(DIALECTS)('lead time for changes on %s', (dialect) => {
  let t: TestApp;
  let clock = NOW;
  beforeAll(async () => {
    t = await createTestApp(dialect, { deps: { now: () => new Date(clock) } });
    await recordHistories();
    clock = NOW;
  });
  afterAll(() => t?.close());

  /** Creates a deployment at `at` bringing `commits` ([n, committedAt ms]), then each status change. */
  const deploy = async (
    environment: string,
    at: number,
    status: string,
    commits: Array<[number, number]>,
    ...changes: Array<[number, string]>
  ) => {
    clock = at;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      payload: {
        workload: 'lead',
        platform: 'prod',
        environment,
        version: `v${at}`,
        status,
        changes: commits.map(([n, committedAt]) => ({ commit: sha(n), committedAt: iso(committedAt) })),
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { versionId } = created.json();
    for (const [offset, next] of changes) {
      clock = at + offset;
      const updated = await t.app.inject({
        method: 'POST',
        url: '/api/v1/update/status',
        payload: { versionId, status: next },
      });
      expect(updated.statusCode, updated.body).toBe(200);
    }
  };

  async function recordHistories() {
    // c0 reached eu 35 days ago (5 days after its commit) and is sent again yesterday: before the window.
    await deploy('eu', NOW - 35 * DAY, 'deployed', [[0, NOW - 40 * DAY]]);
    // c1: created ongoing, deployed an hour later: 1 day 1 hour.
    await deploy('eu', NOW - 9 * DAY, 'ongoing', [[1, NOW - 10 * DAY]], [HOUR, 'deployed']);
    // c1 again (counts once), c2 committed a day before: 1 day.
    await deploy('eu', NOW - 5 * DAY, 'deployed', [
      [1, NOW - 10 * DAY],
      [2, NOW - 6 * DAY],
    ]);
    // c3 fails first, reaches eu with the next day's success: 1 day 2 hours.
    await deploy('eu', NOW - 4 * DAY, 'ongoing', [[3, NOW - 4 * DAY - 2 * HOUR]], [10 * SECOND, 'failed']);
    await deploy('eu', NOW - 3 * DAY, 'deployed', [[3, NOW - 4 * DAY - 2 * HOUR]]);
    // c5 only in a failed deployment: it never reached eu.
    await deploy('eu', NOW - 1 * DAY, 'failed', [
      [0, NOW - 40 * DAY],
      [5, NOW - 2 * DAY],
    ]);
    // c1 reaches us too, 8 days after its commit.
    await deploy('us', NOW - 2 * DAY, 'deployed', [[1, NOW - 10 * DAY]]);

    // Backfilled: recorded now with the date it happened, 20 days ago; c4 was committed a day before.
    clock = NOW;
    const backfilled = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      payload: {
        workload: 'lead',
        platform: 'prod',
        environment: 'eu',
        version: 'backfilled',
        date: iso(NOW - 20 * DAY),
        changes: [{ commit: sha(4), committedAt: iso(NOW - 21 * DAY) }],
      },
    });
    expect(backfilled.statusCode, backfilled.body).toBe(201);
  }

  const dora = async (query: Record<string, string>) => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/stats/dora', query });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  it('counts each commit once per environment, from its commit to its first successful deployment', async () => {
    // eu: c1 90,000 s, c2 86,400 s, c3 93,600 s, c4 86,400 s; the median of four is (86,400 + 90,000) / 2.
    expect(await dora({ workload: 'lead', environment: 'eu' })).toMatchObject({
      changes: 4,
      medianLeadTimeSeconds: 88_200,
    });
    // With us: c1 there takes 691,200 s; the median of five is 90,000.
    expect(await dora({ workload: 'lead' })).toMatchObject({ changes: 5, medianLeadTimeSeconds: 90_000 });
    expect(await dora({ workload: 'lead', environment: 'us' })).toMatchObject({
      changes: 1,
      medianLeadTimeSeconds: 691_200,
    });
  });

  it('counts a commit in the window where it first reached the environment', async () => {
    // 60 days hold c0's first deployment (432,000 s): eu 86,400, 86,400, 90,000, 93,600, 432,000.
    expect(await dora({ workload: 'lead', environment: 'eu', days: '60' })).toMatchObject({
      changes: 5,
      medianLeadTimeSeconds: 90_000,
    });
    // The last 3 days hold only c3's success (its failure, 4 days ago, brought nothing).
    expect(await dora({ workload: 'lead', environment: 'eu', days: '3' })).toMatchObject({
      changes: 1,
      medianLeadTimeSeconds: 93_600,
    });
    // A day: only the failed deployment, and c0 that reached eu long before.
    expect(await dora({ workload: 'lead', environment: 'eu', days: '1' })).toMatchObject({
      changes: 0,
      medianLeadTimeSeconds: null,
    });
  });

  it('shows each change with its lead time on the whole deployment', async () => {
    const current = await t.app.inject({
      method: 'GET',
      url: '/api/v1/deployments/current',
      query: { workload: 'lead', platform: 'prod', environment: 'us' },
    });
    expect(current.json()).toMatchObject({ changes: [{ commit: sha(1), committedAt: iso(NOW - 10 * DAY) }] });
  });
});
