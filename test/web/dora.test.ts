// The DORA page's arithmetic: performance bands, trend buckets from nested windows, the table's lines.
import { describe, expect, it } from 'vitest';
import {
  cumulativeWindows,
  doraBand,
  doraScopeRows,
  mapWithConcurrency,
  trendBuckets,
  trendFromCumulative,
} from '../../web/src/model/dora.js';

const HOUR = 3600;
const DAY = 24 * HOUR;

describe('doraBand', () => {
  it('rates deployment frequency: daily is elite, weekly high, monthly medium, less low', () => {
    expect(doraBand('deploymentFrequency', 3.3)).toBe('elite');
    expect(doraBand('deploymentFrequency', 1)).toBe('elite');
    expect(doraBand('deploymentFrequency', 0.99)).toBe('high');
    expect(doraBand('deploymentFrequency', 1 / 7)).toBe('high');
    expect(doraBand('deploymentFrequency', 1 / 8)).toBe('medium');
    expect(doraBand('deploymentFrequency', 1 / 30)).toBe('medium');
    expect(doraBand('deploymentFrequency', 1 / 31)).toBe('low');
    expect(doraBand('deploymentFrequency', 0)).toBe('low');
  });

  it('rates the change failure rate: up to 15 % elite, 30 % high, 45 % medium', () => {
    expect(doraBand('changeFailureRate', 0)).toBe('elite');
    expect(doraBand('changeFailureRate', 0.15)).toBe('elite');
    expect(doraBand('changeFailureRate', 0.1501)).toBe('high');
    expect(doraBand('changeFailureRate', 0.3)).toBe('high');
    expect(doraBand('changeFailureRate', 0.45)).toBe('medium');
    expect(doraBand('changeFailureRate', 0.46)).toBe('low');
    expect(doraBand('changeFailureRate', 1)).toBe('low');
  });

  it('rates the time to restore: under an hour elite, a day high, a week medium', () => {
    expect(doraBand('timeToRestore', 30 * 60)).toBe('elite');
    expect(doraBand('timeToRestore', HOUR)).toBe('high');
    expect(doraBand('timeToRestore', DAY - 1)).toBe('high');
    expect(doraBand('timeToRestore', DAY)).toBe('medium');
    expect(doraBand('timeToRestore', 7 * DAY)).toBe('low');
  });

  it('holds the deployment duration against the lead-time bands: an hour, a week, a month', () => {
    expect(doraBand('deploymentDuration', 12 * 60)).toBe('elite');
    expect(doraBand('deploymentDuration', 2 * HOUR)).toBe('high');
    expect(doraBand('deploymentDuration', 7 * DAY)).toBe('medium');
    expect(doraBand('deploymentDuration', 30 * DAY)).toBe('low');
  });

  it('gives no band where nothing was measured', () => {
    expect(doraBand('changeFailureRate', null)).toBeNull();
    expect(doraBand('timeToRestore', undefined)).toBeNull();
    expect(doraBand('deploymentDuration', Number.NaN)).toBeNull();
  });
});

describe('trend buckets', () => {
  it('cuts 7 days into days, 30 into 3-day spans and 90 into 10-day spans', () => {
    expect(trendBuckets(7)).toEqual({ size: 1, count: 7 });
    expect(trendBuckets(30)).toEqual({ size: 3, count: 10 });
    expect(trendBuckets(90)).toEqual({ size: 10, count: 9 });
    expect(cumulativeWindows(30)).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
    const odd = trendBuckets(365);
    expect(odd.size * odd.count).toBeGreaterThanOrEqual(365);
    expect(odd.count).toBeLessThanOrEqual(10);
  });

  it('turns the answers for nested windows into buckets, oldest first', () => {
    const windows = [1, 2, 3];
    const cumulative = [
      { deployments: 4, successful: 3, failed: 1 }, // the last day
      { deployments: 4, successful: 3, failed: 1 }, // nothing the day before
      { deployments: 10, successful: 6, failed: 3 }, // two and three days back: 6 more
    ];
    expect(trendFromCumulative(windows, cumulative)).toEqual([
      {
        startDaysAgo: 3,
        endDaysAgo: 2,
        deployments: 6,
        successful: 3,
        failed: 2,
        perDay: 3,
        changeFailureRate: 0.4,
      },
      {
        startDaysAgo: 2,
        endDaysAgo: 1,
        deployments: 0,
        successful: 0,
        failed: 0,
        perDay: 0,
        changeFailureRate: null,
      },
      {
        startDaysAgo: 1,
        endDaysAgo: 0,
        deployments: 4,
        successful: 3,
        failed: 1,
        perDay: 3,
        changeFailureRate: 0.25,
      },
    ]);
  });

  it('counts 0, never less, when a status changed between two requests', () => {
    const buckets = trendFromCumulative(
      [3, 6],
      [
        { deployments: 5, successful: 5, failed: 0 },
        { deployments: 5, successful: 4, failed: 1 },
      ],
    );
    expect(buckets[0]).toMatchObject({ deployments: 0, successful: 0, failed: 1, perDay: 0 });
  });
});

describe('doraScopeRows', () => {
  const paths = [
    { workload: 'auth', platform: 'k8s', environment: 'prod' },
    { workload: 'shop', platform: 'k8s', environment: 'prod' },
    { workload: 'shop', platform: 'k8s', environment: 'staging' },
  ];

  it('lists each workload followed by its environments, of one workload when asked', () => {
    expect(doraScopeRows(paths, undefined, 10)).toEqual({
      truncated: false,
      rows: [
        { kind: 'workload', workload: 'auth' },
        { kind: 'environment', workload: 'auth', platform: 'k8s', environment: 'prod' },
        { kind: 'workload', workload: 'shop' },
        { kind: 'environment', workload: 'shop', platform: 'k8s', environment: 'prod' },
        { kind: 'environment', workload: 'shop', platform: 'k8s', environment: 'staging' },
      ],
    });
    expect(doraScopeRows(paths, 'shop', 10).rows).toHaveLength(3);
  });

  it('lists workloads only above the limit of environments', () => {
    expect(doraScopeRows(paths, undefined, 2)).toEqual({
      truncated: true,
      rows: [
        { kind: 'workload', workload: 'auth' },
        { kind: 'workload', workload: 'shop' },
      ],
    });
  });
});

describe('mapWithConcurrency', () => {
  it('keeps the order of the results and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const results = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (value) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, value * 2));
      running -= 1;
      return value * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });
});
