// The deployed-versions grid: columns in pipeline order, drift between the environments of a workload.
import { describe, expect, it } from 'vitest';
import type { MatrixEntry } from '../../web/src/api/types.js';
import { buildMatrix, stageRank } from '../../web/src/model/matrix.js';

let id = 1;
function entry(
  workload: string,
  platform: string,
  environment: string,
  current: string | null,
  latest?: { version: string; status: string },
): MatrixEntry {
  const date = `2026-11-${String(10 + id).padStart(2, '0')}T10:00:00.000Z`;
  const currentRow = current === null ? null : { versions_id: id++, version: current, date };
  return {
    workload,
    platform,
    environment,
    current: currentRow,
    latest: latest
      ? { versions_id: id++, ...latest, date }
      : { versions_id: currentRow?.versions_id ?? id++, version: current ?? '?', status: 'deployed', date },
  };
}

describe('stageRank', () => {
  it('orders names the way deployments are promoted', () => {
    const names = ['production', 'qa', 'zeta', 'dev', 'staging', 'prod-eu', 'pre-prod'];
    expect([...names].sort((a, b) => stageRank(a) - stageRank(b) || a.localeCompare(b))).toEqual([
      'dev',
      'qa',
      'pre-prod',
      'staging',
      'zeta',
      'prod-eu',
      'production',
    ]);
  });
});

describe('buildMatrix', () => {
  it('puts workloads down and environments across, grouped by platform in pipeline order', () => {
    const matrix = buildMatrix([
      entry('shop', 'production', 'prod-us', '1.0.0'),
      entry('shop', 'production', 'prod-eu', '1.0.0'),
      entry('shop', 'staging', 'stage', '1.0.0'),
      entry('auth', 'development', 'dev', '2.0.0'),
    ]);
    expect(matrix.columns).toEqual([
      { platform: 'development', environments: ['dev'] },
      { platform: 'staging', environments: ['stage'] },
      { platform: 'production', environments: ['prod-eu', 'prod-us'] },
    ]);
    expect(matrix.rows.map((row) => row.workload)).toEqual(['auth', 'shop']);
    expect(matrix.rows[0]!.cells.map((cell) => cell?.entry.environment ?? null)).toEqual([
      'dev',
      null,
      null,
      null,
    ]);
    expect(matrix.rows[1]!.cells.map((cell) => cell?.drift)).toEqual([undefined, 'same', 'same', 'same']);
  });

  it('marks the highest version of a row as newest and lower ones as behind', () => {
    const matrix = buildMatrix([
      entry('shop', 'k8s', 'dev', '1.10.0'),
      entry('shop', 'k8s', 'prod', '1.9.3'),
      entry('shop', 'k8s', 'staging', '1.10.0'),
    ]);
    const [row] = matrix.rows;
    expect(row!.newest).toBe('1.10.0');
    expect(row!.distinctVersions).toBe(2);
    expect(row!.cells.map((cell) => [cell?.entry.environment, cell?.drift])).toEqual([
      ['dev', 'newest'],
      ['staging', 'newest'],
      ['prod', 'behind'],
    ]);
  });

  it('falls back to the newest deployed version when versions are not all semantic', () => {
    const matrix = buildMatrix([
      entry('api', 'k8s', 'dev', 'main-aaaa'), // deployed first
      entry('api', 'k8s', 'prod', '1.0.0'), // deployed last
    ]);
    expect(matrix.rows[0]!.newest).toBe('1.0.0');
    expect(matrix.rows[0]!.cells.map((cell) => cell?.drift)).toEqual(['differs', 'newest']);
  });

  it('shows the latest attempt when it failed or is going, and nothing when it is what runs', () => {
    const matrix = buildMatrix([
      entry('shop', 'k8s', 'dev', '1.1.0'),
      entry('shop', 'k8s', 'prod', '1.0.0', { version: '1.1.0', status: 'failed' }),
      entry('shop', 'k8s', 'staging', null, { version: '1.1.0', status: 'ongoing' }),
    ]);
    const cells = matrix.rows[0]!.cells;
    expect(cells[0]!.attempt).toBeNull();
    expect(cells[2]!.attempt).toMatchObject({ version: '1.1.0', status: 'failed' });
    expect(cells[1]!.attempt).toMatchObject({ version: '1.1.0', status: 'ongoing' });
    expect(cells[1]!.drift).toBe('none');
    expect(cells[2]!.drift).toBe('behind');
  });
});
