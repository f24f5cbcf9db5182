// The DORA page's table: sorted by any column with workloads keeping their environments, worst bands flagged.
import { describe, expect, it } from 'vitest';
import type { DoraFigures } from '../../web/src/api/types.js';
import { sortDoraRows, worstBands, type DoraTableRow } from '../../web/src/model/dora-table.js';

const figures = (perDay: number, rate: number | null): DoraFigures => ({
  from: '',
  to: '',
  deployments: Math.round(perDay * 30),
  successful: Math.round(perDay * 30),
  failed: 0,
  deploymentsPerDay: perDay,
  changeFailureRate: rate,
  medianTimeToRestoreSeconds: null,
  medianDeploymentSeconds: null,
  changes: 0,
  medianLeadTimeSeconds: null,
});
const rows: DoraTableRow[] = [
  { kind: 'workload', workload: 'a', figures: figures(2, 0.1) },
  { kind: 'environment', workload: 'a', platform: 'p', environment: 'x', figures: figures(0.5, 0.5) },
  { kind: 'environment', workload: 'a', platform: 'p', environment: 'y', figures: figures(1.5, null) },
  { kind: 'workload', workload: 'b', figures: figures(0.01, 0.2) },
  { kind: 'environment', workload: 'b', platform: 'p', environment: 'z', figures: figures(0.01, 0.2) },
];
const names = (list: DoraTableRow[]) => list.map((row) => row.environment ?? row.workload);

describe('sortDoraRows', () => {
  it('sorts workloads, then environments within each, empty values last', () => {
    expect(names(sortDoraRows(rows, 'deploymentFrequency', 'ascending'))).toEqual(['b', 'z', 'a', 'x', 'y']);
    expect(names(sortDoraRows(rows, 'changeFailureRate', 'descending'))).toEqual(['b', 'z', 'a', 'x', 'y']);
    expect(names(sortDoraRows(rows, 'changeFailureRate', 'ascending'))).toEqual(['a', 'x', 'y', 'b', 'z']);
  });
});

describe('worstBands', () => {
  it('names the worst band of each figure, none when all are elite', () => {
    const worst = worstBands(rows, ['deploymentFrequency', 'changeFailureRate']);
    // 0.01 a day is less than once a month.
    expect(worst.get('deploymentFrequency')).toBe('low');
    expect(worst.get('changeFailureRate')).toBe('low');
    expect(worstBands(rows.slice(0, 1), ['deploymentFrequency']).size).toBe(0);
  });
});
