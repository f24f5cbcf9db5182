// The deployed-versions grid: columns in pipeline order, drift between the environments of a workload.
import { describe, expect, it } from 'vitest';
import type { MatrixEntry, Tier } from '../../web/src/api/types.js';
import {
  buildMatrix,
  chooseEntries,
  describeDrift,
  describeSummary,
  stageRank,
} from '../../web/src/model/matrix.js';

let id = 1;
function entry(
  workload: string,
  platform: string,
  environment: string,
  current: string | null,
  latest?: { version: string; status: string },
): MatrixEntry {
  const date = `2026-11-${String(10 + id).padStart(2, '0')}T10:00:00.000Z`;
  const currentRow =
    current === null
      ? null
      : { versions_id: id++, version: current, date, commit: null, environmentURL: null };
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

// Tiers as the server infers them, enough for these names.
const tierOf = (platform: string, environment: string): Tier => {
  const name = `${platform} ${environment}`;
  if (/dev/.test(environment)) return 'development';
  if (/stag/.test(environment)) return 'staging';
  if (/prod|eu|us|pop/.test(name)) return 'production';
  return 'other';
};

describe('buildMatrix', () => {
  it('puts workloads down and environments across, in tier order, grouped by platform', () => {
    const matrix = buildMatrix(
      [
        entry('shop', 'production', 'prod-us', '1.0.0'),
        entry('shop', 'production', 'prod-eu', '1.0.0'),
        entry('shop', 'k8s', 'staging', '1.0.0'),
        entry('auth', 'k8s', 'dev', '2.0.0'),
      ],
      { tierOf },
    );
    expect(matrix.columns).toEqual([
      { tier: 'development', platform: 'k8s', environments: ['dev'], collapsed: false },
      { tier: 'staging', platform: 'k8s', environments: ['staging'], collapsed: false },
      { tier: 'production', platform: 'production', environments: ['prod-eu', 'prod-us'], collapsed: false },
    ]);
    expect(matrix.rows.map((row) => row.workload)).toEqual(['auth', 'shop']);
    expect(matrix.rows[0]!.cells.map((cell) => cell?.entry.environment ?? null)).toEqual([
      'dev',
      null,
      null,
      null,
    ]);
    expect(matrix.rows[1]!.cells.map((cell) => cell?.drift)).toEqual([undefined, 'first', 'same', 'same']);
    expect(describeDrift(matrix.rows[1]!.cells[2]!)).toBe('= staging');
  });

  it('compares each environment with the tier before it, not with the newest anywhere', () => {
    const matrix = buildMatrix(
      [
        entry('shop', 'k8s', 'dev', '1.11.0'),
        entry('shop', 'k8s', 'staging', '1.10.0'),
        entry('shop', 'k8s', 'prod', '1.10.0'),
        entry('shop', 'k8s', 'prod-us', '1.9.3'),
        entry('shop', 'k8s', 'pop-hotfix', '1.10.1'),
      ],
      { tierOf },
    );
    const [row] = matrix.rows;
    expect(row!.distinctVersions).toBe(4);
    const described = row!.cells.map((cell) => [cell?.entry.environment, cell?.drift, describeDrift(cell!)]);
    expect(described).toEqual([
      ['dev', 'first', ''],
      ['staging', 'behind', 'behind development'],
      ['pop-hotfix', 'ahead', 'ahead of staging'],
      ['prod', 'same', '= staging'],
      ['prod-us', 'behind', 'behind staging'],
    ]);
  });

  it('says "differs" when versions are not all semantic', () => {
    const matrix = buildMatrix(
      [entry('api', 'k8s', 'dev', 'main-aaaa'), entry('api', 'k8s', 'prod', '1.0.0')],
      { tierOf },
    );
    expect(matrix.rows[0]!.cells.map((cell) => cell?.drift)).toEqual(['first', 'differs']);
  });

  it('shows the latest attempt when it failed or is going, and nothing when it is what runs', () => {
    const matrix = buildMatrix(
      [
        entry('shop', 'k8s', 'dev', '1.1.0'),
        entry('shop', 'k8s', 'prod', '1.0.0', { version: '1.1.0', status: 'failed' }),
        entry('shop', 'k8s', 'staging', null, { version: '1.1.0', status: 'ongoing' }),
      ],
      { tierOf },
    );
    const cells = matrix.rows[0]!.cells;
    expect(cells[0]!.attempt).toBeNull();
    expect(cells[2]!.attempt).toMatchObject({ version: '1.1.0', status: 'failed' });
    expect(cells[1]!.attempt).toMatchObject({ version: '1.1.0', status: 'ongoing' });
    expect(cells[1]!.drift).toBe('none');
    // Staging runs nothing: production compares with development.
    expect(cells[2]!.drift).toBe('behind');
    expect(cells[2]!.reference).toEqual({ tier: 'development', version: '1.1.0' });
  });

  it('collapses a platform with many environments into one summary per row until opened', () => {
    const entries = [
      ...Array.from({ length: 10 }, (_, i) =>
        entry(
          'edge',
          'pops',
          `pop-${i}`,
          i < 7 ? '7.4.0' : '7.3.0',
          i === 9 ? { version: '7.4.0', status: 'failed' } : undefined,
        ),
      ),
      entry('edge', 'k8s', 'staging', '7.4.0'),
    ];
    const matrix = buildMatrix(entries, { tierOf });
    expect(matrix.columns.map((group) => [group.platform, group.collapsed])).toEqual([
      ['k8s', false],
      ['pops', true],
    ]);
    expect(matrix.rows[0]!.cells).toHaveLength(1);
    expect(describeSummary(matrix.rows[0]!.summaries[1]!)).toBe('7/10 on 7.4.0, 1 failed');
    const opened = buildMatrix(entries, { tierOf, expanded: new Set(['pops']) });
    expect(opened.columns[1]!.collapsed).toBe(false);
    expect(opened.rows[0]!.cells).toHaveLength(11);
  });

  it('keeps only the chosen environments', () => {
    const entries = [entry('a', 'k8s', 'dev', '1.0.0'), entry('a', 'k8s', 'prod', '1.0.0')];
    expect(chooseEntries(entries, ['k8s/prod']).map((e) => e.environment)).toEqual(['prod']);
    expect(chooseEntries(entries, [])).toHaveLength(2);
  });
});
