// The DORA arithmetic on fixed histories with known answers, on every dialect. The server's clock is set
// for each write, so creation and status times are exact and every figure can be worked out by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreDatabase } from '../../src/store/database.js';
import type { DoraMeasuring } from '../../src/store/dialects/strategies.js';
import { InsightsStore } from '../../src/store/insights.store.js';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;
/** "Now" for every DORA question below. */
const NOW = Date.parse('2025-03-01T00:00:00.000Z');

describe.each(DIALECTS)('DORA figures on %s', (dialect) => {
  let t: TestApp;
  let clock = NOW;
  beforeAll(async () => {
    t = await createTestApp(dialect, { deps: { now: () => new Date(clock) } });
    await recordHistories();
    clock = NOW;
  });
  afterAll(() => t?.close());

  /** Creates a deployment at `at` (the server's clock) in `status`; then each [offset ms, status] change. */
  const deploy = async (
    key: string,
    at: number,
    status: string,
    ...changes: Array<[number, string]>
  ): Promise<number> => {
    const [workload, platform, environment] = key.split('/');
    clock = at;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      payload: { workload, platform, environment, version: `v${at}`, status },
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
    return versionId;
  };

  const dora = async (query: Record<string, string>) => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/stats/dora', query });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  async function recordHistories() {
    // calm: no failures.
    await deploy('calm/prod/eu', NOW - 10 * DAY, 'ongoing', [120 * SECOND, 'deployed']);
    await deploy(
      'calm/prod/eu',
      NOW - 5 * DAY,
      'ongoing',
      [60 * SECOND, 'deployed'],
      [300 * SECOND, 'completed'],
    );
    await deploy('calm/prod/eu', NOW - 2 * DAY, 'deployed');
    await deploy('calm/prod/eu', NOW - 1 * DAY, 'ongoing');

    // broken: failures never restored (the only success came before them).
    await deploy('broken/prod/eu', NOW - 20 * DAY, 'deployed');
    await deploy('broken/prod/eu', NOW - 3 * DAY, 'ongoing', [30 * SECOND, 'failed']);
    await deploy('broken/prod/eu', NOW - 1 * DAY, 'failed');

    // flaky: two failures restored by one deployment, a third by the next; another environment's failure
    // is not restored by eu's deployments, nor by a success of its own that came before it.
    await deploy('flaky/prod/eu', NOW - 6 * DAY, 'ongoing', [60 * SECOND, 'failed']);
    await deploy('flaky/prod/eu', NOW - 5 * DAY, 'ongoing', [60 * SECOND, 'failed']);
    await deploy('flaky/prod/eu', NOW - 4 * DAY, 'ongoing', [600 * SECOND, 'deployed']);
    await deploy('flaky/prod/eu', NOW - 3 * DAY, 'ongoing', [60 * SECOND, 'failed']);
    await deploy('flaky/prod/eu', NOW - 2 * DAY, 'deployed');
    await deploy('flaky/prod/us', NOW - 3 * DAY, 'deployed');
    await deploy('flaky/prod/us', NOW - 1 * DAY, 'failed');
    await deploy('flaky/prod/eu', NOW - 12 * HOUR, 'deployed');

    // regress: deployed, then found broken a day later; its failure time is when it became failed.
    await deploy('regress/prod/eu', NOW - 10 * DAY, 'deployed', [1 * DAY, 'failed']);
    await deploy('regress/prod/eu', NOW - 8 * DAY, 'deployed');

    // ties: a failure and a success at the same instant are ordered by id (the order they were recorded).
    const tie = NOW - 2 * DAY;
    await deploy('ties/prod/a', tie, 'failed');
    await deploy('ties/prod/a', tie, 'deployed'); // after the failure: restores it in 0 s
    await deploy('ties/prod/b', tie, 'deployed');
    await deploy('ties/prod/b', tie, 'failed'); // after the success: not restored by it
    await deploy('ties/prod/c', tie, 'ongoing', [0, 'deployed']); // succeeded the instant it was created

    // sparse: a workload's deployments far apart in id, between many of another's (its history is then
    // looked up per deployment rather than read as the window's range of ids).
    const sparse: Array<[number, number]> = [
      [3, 100],
      [2, 300],
      [1, 200],
    ];
    for (const [day, seconds] of sparse) {
      await deploy('sparse/prod/eu', NOW - day * DAY, 'ongoing', [seconds * SECOND, 'deployed']);
      for (let i = 0; i < 12; i++)
        await deploy('noise/prod/eu', NOW - day * DAY + (i + 1) * HOUR, 'deployed');
    }

    // edges of a 30-day window: [NOW - 30 days, NOW], both ends included.
    const from = NOW - 30 * DAY;
    await deploy('edges/prod/a', from - HOUR, 'failed'); // before the window: its restore is not counted
    await deploy('edges/prod/a', from - 1, 'deployed'); // 1 ms too early
    await deploy('edges/prod/a', from, 'deployed'); // exactly at the start
    await deploy('edges/prod/b', NOW, 'deployed'); // exactly at the end
    await deploy('edges/prod/c', NOW - HOUR, 'failed');
    await deploy('edges/prod/c', NOW + HOUR, 'deployed'); // after the window's end: restores nothing yet
  }

  it('without failures: no failure rate to speak of, no restore time, durations from creation', async () => {
    expect(await dora({ workload: 'calm' })).toEqual({
      from: '2025-01-30T00:00:00.000Z',
      to: '2025-03-01T00:00:00.000Z',
      deployments: 4,
      successful: 3,
      failed: 0,
      deploymentsPerDay: 3 / 30,
      changeFailureRate: 0,
      medianTimeToRestoreSeconds: null,
      // 120 s and 60 s (to the first success, not to the later `completed`); the one created deployed and
      // the one still ongoing have no duration.
      medianDeploymentSeconds: 90,
      // No commits were sent: lead time for changes has nothing to measure (test/insights/lead-time.test.ts).
      changes: 0,
      medianLeadTimeSeconds: null,
    });
  });

  it('with failures never restored: a failure rate, and null time to restore', async () => {
    expect(await dora({ workload: 'broken' })).toMatchObject({
      deployments: 3,
      successful: 1,
      failed: 2,
      changeFailureRate: 2 / 3,
      medianTimeToRestoreSeconds: null,
      medianDeploymentSeconds: null,
    });
  });

  it('restores several failures with one deployment, each from its own failure time', async () => {
    // eu: 2 days 540 s, 1 day 540 s (both restored at NOW - 4 d + 600 s), then 1 day - 60 s; us: never.
    const figures = await dora({ workload: 'flaky' });
    expect(figures).toMatchObject({
      deployments: 8,
      successful: 4,
      failed: 4,
      changeFailureRate: 0.5,
      medianTimeToRestoreSeconds: DAY / SECOND + 540,
      medianDeploymentSeconds: 600,
    });
    expect(figures.deploymentsPerDay).toBeCloseTo(4 / 30, 12);

    expect(await dora({ workload: 'flaky', platform: 'prod', environment: 'eu' })).toMatchObject({
      deployments: 6,
      successful: 3,
      failed: 3,
      medianTimeToRestoreSeconds: DAY / SECOND + 540,
    });
    expect(await dora({ workload: 'flaky', environment: 'us' })).toMatchObject({
      deployments: 2,
      successful: 1,
      failed: 1,
      medianTimeToRestoreSeconds: null,
    });
    // A week ending now holds all of it; a day only the us failure (at its very start) and the last success.
    expect(await dora({ workload: 'flaky', days: '1' })).toMatchObject({
      from: '2025-02-28T00:00:00.000Z',
      deployments: 2,
      successful: 1,
      failed: 1,
      deploymentsPerDay: 1,
      medianTimeToRestoreSeconds: null,
      medianDeploymentSeconds: null,
    });
  });

  it('measures a restore from when the deployment became failed, not from its creation', async () => {
    expect(await dora({ workload: 'regress' })).toMatchObject({
      deployments: 2,
      successful: 1,
      failed: 1,
      medianTimeToRestoreSeconds: DAY / SECOND,
      medianDeploymentSeconds: null,
    });
  });

  it('orders deployments of the same instant by id', async () => {
    expect(await dora({ workload: 'ties' })).toMatchObject({
      deployments: 5,
      successful: 3,
      failed: 2,
      changeFailureRate: 0.4,
      medianTimeToRestoreSeconds: 0,
      medianDeploymentSeconds: 0,
    });
    expect(await dora({ workload: 'ties', environment: 'b' })).toMatchObject({
      medianTimeToRestoreSeconds: null,
    });
  });

  it('measures durations the same whether the workload is dense or sparse among the ids', async () => {
    expect(await dora({ workload: 'sparse' })).toMatchObject({
      deployments: 3,
      successful: 3,
      medianDeploymentSeconds: 200,
    });
  });

  it('includes both ends of the window and nothing outside it', async () => {
    expect(await dora({ workload: 'edges' })).toEqual({
      from: '2025-01-30T00:00:00.000Z',
      to: '2025-03-01T00:00:00.000Z',
      deployments: 3,
      successful: 2,
      failed: 1,
      deploymentsPerDay: 2 / 30,
      changeFailureRate: 1 / 3,
      medianTimeToRestoreSeconds: null,
      medianDeploymentSeconds: null,
      changes: 0,
      medianLeadTimeSeconds: null,
    });
    // Once the clock passes the late deployment, it restores the failure an hour before NOW.
    clock = NOW + 2 * HOUR;
    expect(await dora({ workload: 'edges', environment: 'c' })).toMatchObject({
      deployments: 2,
      medianTimeToRestoreSeconds: (2 * HOUR) / SECOND,
    });
    clock = NOW;
  });

  it('adds up every workload without filters, and answers an empty scope with zeros and nulls', async () => {
    const all = await dora({});
    // calm, broken, flaky, regress, ties, sparse, noise, edges
    expect(all).toMatchObject({
      deployments: 4 + 3 + 8 + 2 + 5 + 3 + 36 + 3,
      successful: 3 + 1 + 4 + 1 + 3 + 3 + 36 + 2,
      failed: 0 + 2 + 4 + 1 + 2 + 0 + 0 + 1,
    });
    // Durations: calm 120 and 60, flaky 600, ties 0, sparse 100, 300 and 200: the median of seven is 120.
    expect(all.medianDeploymentSeconds).toBe(120);
    expect(await dora({ workload: 'nobody', days: '3650' })).toEqual({
      from: new Date(NOW - 3650 * DAY).toISOString(),
      to: '2025-03-01T00:00:00.000Z',
      deployments: 0,
      successful: 0,
      failed: 0,
      deploymentsPerDay: 0,
      changeFailureRate: null,
      medianTimeToRestoreSeconds: null,
      medianDeploymentSeconds: null,
      changes: 0,
      medianLeadTimeSeconds: null,
    });
  });

  it('measures the same by index seeks per failure and by one pass in environment order', async () => {
    // Each database uses one of the two ways (its dialect's doraMeasuring); both must agree everywhere.
    const measuring = (doraMeasuring: DoraMeasuring) =>
      new InsightsStore(
        new StoreDatabase({ ...t.storeDatabase.dialect, doraMeasuring }, t.storeDatabase.connection),
      );
    const bySeeks = measuring('seekPerFailure');
    const inOrder = measuring('onePassInOrder');
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    for (const scope of [
      {},
      { workload: 'flaky' },
      { workload: 'sparse' },
      { workload: 'ties', environment: 'b' },
    ]) {
      for (const days of [1, 30]) {
        const window = { from: new Date(NOW - days * DAY), to: new Date(NOW), scope };
        const [a, b] = await Promise.all([bySeeks.dora(window), inOrder.dora(window)]);
        expect({
          ...a,
          restoreSeconds: sorted(a.restoreSeconds),
          deploymentSeconds: sorted(a.deploymentSeconds),
        }).toEqual({
          ...b,
          restoreSeconds: sorted(b.restoreSeconds),
          deploymentSeconds: sorted(b.deploymentSeconds),
        });
      }
    }
  });

  it('answers 400 for days out of 1..3650 or not a whole number, naming the field', async () => {
    for (const days of ['0', '3651', '-3', '1.5', 'abc']) {
      const response = await t.app.inject({ method: 'GET', url: '/api/v1/stats/dora', query: { days } });
      expect(response.statusCode, days).toBe(400);
      expect(response.json().error).toMatch(/^days /);
    }
    const long = await t.app.inject({
      method: 'GET',
      url: '/api/v1/stats/dora',
      query: { environment: 'e'.repeat(101) },
    });
    expect(long.statusCode).toBe(400);
    expect(long.json().error).toMatch(/environment/);
  });
});
