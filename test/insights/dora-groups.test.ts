// /stats/dora with groupBy and bucketDays (issue 13), on every dialect: each group answers what its own
// request answers, the buckets cut the window without overlap, and bad values are 400s naming them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2025-06-30T12:00:00.000Z');

describe.each(DIALECTS)('DORA groups and buckets on %s', (dialect) => {
  let t: TestApp;
  let clock = NOW;
  beforeAll(async () => {
    t = await createTestApp(dialect, { deps: { now: () => new Date(clock) } });
    // Two workloads, three environments; each deployment `daysAgo` days back, some failing then restored.
    const plan: Array<[string, number, string, string?]> = [
      ['a/prod/eu', 1, 'deployed'],
      ['a/prod/eu', 2, 'failed'],
      ['a/prod/eu', 2.5, 'ongoing', 'deployed'],
      ['a/prod/us', 3, 'deployed'],
      ['a/prod/us', 8, 'failed'],
      ['a/prod/us', 9, 'completed'],
      ['b/prod/eu', 4, 'deployed'],
      ['b/prod/eu', 6, 'failed'],
      ['b/prod/eu', 13, 'deployed'],
      ['b/prod/eu', 20, 'deployed'],
    ];
    for (const [key, daysAgo, status, later] of plan) {
      const [workload, platform, environment] = key.split('/');
      clock = NOW - daysAgo * DAY;
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/create',
        payload: { workload, platform, environment, version: `v${daysAgo}`, status },
      });
      expect(created.statusCode, created.body).toBe(201);
      if (later) {
        clock += HOUR;
        const updated = await t.app.inject({
          method: 'POST',
          url: '/api/v1/update/status',
          payload: { versionId: created.json().versionId, status: later },
        });
        expect(updated.statusCode).toBe(200);
      }
    }
    clock = NOW;
  });
  afterAll(() => t?.close());

  const dora = async (query: Record<string, string>) => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/stats/dora', query });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  it('answers every group as its own request would, in one request', async () => {
    const byEnvironment = await dora({ days: '14', groupBy: 'environment' });
    expect(
      byEnvironment.groups.map((group: { workload: string; environment: string }) => group),
    ).toHaveLength(3);
    for (const group of byEnvironment.groups) {
      const { workload, platform, environment, ...figures } = group;
      expect(figures).toEqual(await dora({ days: '14', workload, platform, environment }));
    }
    expect(
      byEnvironment.groups.map((group: Record<string, string>) =>
        [group.workload, group.platform, group.environment].join('/'),
      ),
    ).toEqual(['a/prod/eu', 'a/prod/us', 'b/prod/eu']);
    const { groups, ...whole } = byEnvironment;
    expect(whole).toEqual(await dora({ days: '14' }));
    expect(groups[0]).toMatchObject({ deployments: 3, successful: 2, failed: 1 });

    const byWorkload = await dora({ days: '30', groupBy: 'workload' });
    expect(byWorkload.groups.map((group: { workload: string }) => group.workload)).toEqual(['a', 'b']);
    const b = { ...byWorkload.groups[1] };
    delete b.workload;
    expect(b).toEqual(await dora({ days: '30', workload: 'b' }));
    expect(b).toMatchObject({ deployments: 4, successful: 3, failed: 1 });
    // Scoped: only that workload's environments.
    expect((await dora({ days: '30', workload: 'b', groupBy: 'environment' })).groups).toHaveLength(1);
  });

  it('cuts the window into consecutive buckets, oldest first, every deployment in one', async () => {
    const answer = await dora({ days: '14', bucketDays: '7' });
    expect(answer.buckets).toHaveLength(2);
    const [older, newer] = answer.buckets;
    expect(newer.to).toBe(answer.to);
    expect(older.from).toBe(answer.from);
    expect(Date.parse(newer.from) - Date.parse(older.to)).toBe(1);
    expect(newer).toMatchObject({ deployments: 6, successful: 4, failed: 2, deploymentsPerDay: 4 / 7 });
    expect(older).toMatchObject({ deployments: 3, successful: 2, failed: 1 });
    const daily = await dora({ days: '10', bucketDays: '3' });
    expect(daily.buckets).toHaveLength(4);
    // The oldest span is the remainder: 1 day.
    expect(Date.parse(daily.buckets[1].from) - Date.parse(daily.buckets[0].from)).toBe(DAY);
    for (const field of ['deployments', 'successful', 'failed'] as const) {
      const sum = daily.buckets.reduce(
        (total: number, bucket: Record<string, number>) => total + (bucket[field] ?? 0),
        0,
      );
      expect(sum, field).toBe(daily[field]);
    }
    // Both in one request: the DORA page's second request.
    const both = await dora({ days: '30', groupBy: 'workload', bucketDays: '10' });
    expect(both.groups).toHaveLength(2);
    expect(both.buckets).toHaveLength(3);
  });

  it('answers 400 naming groupBy or bucketDays', async () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ groupBy: 'platform' }, /^groupBy/],
      [{ bucketDays: '0' }, /^bucketDays/],
      [{ bucketDays: 'week' }, /^bucketDays/],
      [{ days: '7', bucketDays: '8' }, /^bucketDays/],
      [{ days: '3650', bucketDays: '1' }, /^bucketDays .*at most 100/],
    ];
    for (const [query, message] of bad) {
      const response = await t.app.inject({ method: 'GET', url: '/api/v1/stats/dora', query });
      expect(response.statusCode, JSON.stringify(query)).toBe(400);
      expect(response.json().error).toMatch(message);
    }
  });
});
