// The DORA page's trend and table from /stats/dora answers with bucketDays and groupBy.
import { describe, expect, it } from 'vitest';
import type { DoraFigures } from '../../web/src/api/types.js';
import { tableRows, trendFromBuckets } from '../../web/src/model/dora-answer.js';

const DAY = 86_400_000;
const TO = Date.parse('2026-12-01T12:00:00.000Z');

function figures(
  from: number,
  to: number,
  deployments: number,
  successful: number,
  failed: number,
): DoraFigures {
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    deployments,
    successful,
    failed,
    deploymentsPerDay: 0,
    changeFailureRate: null,
    medianTimeToRestoreSeconds: null,
    medianDeploymentSeconds: null,
    changes: 0,
    medianLeadTimeSeconds: null,
  };
}

describe('trendFromBuckets', () => {
  it('turns the spans into bars, oldest first, in days back from the end', () => {
    const buckets = [figures(TO - 14 * DAY, TO - 7 * DAY - 1, 3, 2, 1), figures(TO - 7 * DAY, TO, 6, 4, 2)];
    expect(trendFromBuckets({ to: new Date(TO).toISOString(), buckets })).toEqual([
      {
        startDaysAgo: 14,
        endDaysAgo: 7,
        deployments: 3,
        successful: 2,
        failed: 1,
        perDay: 2 / 7,
        changeFailureRate: 1 / 3,
      },
      {
        startDaysAgo: 7,
        endDaysAgo: 0,
        deployments: 6,
        successful: 4,
        failed: 2,
        perDay: 4 / 7,
        changeFailureRate: 2 / 6,
      },
    ]);
    expect(trendFromBuckets({ to: new Date(TO).toISOString() })).toEqual([]);
    expect(
      trendFromBuckets({ to: new Date(TO).toISOString(), buckets: [figures(TO - DAY, TO, 1, 0, 0)] })[0]
        ?.changeFailureRate,
    ).toBeNull();
  });
});

describe('tableRows', () => {
  it('lists each workload, then its environments, each with its own figures', () => {
    const a = { workload: 'a', ...figures(0, 1, 3, 2, 1) };
    const b = { workload: 'b', ...figures(0, 1, 1, 1, 0) };
    const aEu = { workload: 'a', platform: 'prod', environment: 'eu', ...figures(0, 1, 2, 1, 1) };
    const aUs = { workload: 'a', platform: 'prod', environment: 'us', ...figures(0, 1, 1, 1, 0) };
    const bEu = { workload: 'b', platform: 'prod', environment: 'eu', ...figures(0, 1, 1, 1, 0) };
    const rows = tableRows([a, b], [aEu, aUs, bEu]);
    expect(
      rows.map((row) => (row.kind === 'workload' ? row.workload : `${row.workload}/${row.environment}`)),
    ).toEqual(['a', 'a/eu', 'a/us', 'b', 'b/eu']);
    expect(rows[1]).toEqual({
      kind: 'environment',
      workload: 'a',
      platform: 'prod',
      environment: 'eu',
      figures: figures(0, 1, 2, 1, 1),
    });
    expect(rows[0]?.figures).not.toHaveProperty('workload');
  });
});
