// Rollback markers: a successful deployment with a lower version than the successful one before it in the
// same environment.
import { describe, expect, it } from 'vitest';
import { findRollbacks, type DeploymentRow } from '../../web/src/model/rollbacks.js';

let nextId = 1;
function row(version: string, status: string, date: string, environment = 'prod'): DeploymentRow {
  return {
    versions_id: nextId++,
    workload: 'shop',
    platform: 'k8s',
    environment,
    version,
    status,
    date: `2026-11-${date}Z`,
  };
}

/** Newest first, as the API lists a history. */
const newestFirst = (rows: DeploymentRow[]) => [...rows].reverse();

describe('findRollbacks', () => {
  it('marks a successful deployment of a lower version than the previous successful one', () => {
    const history = [
      row('1.0.0', 'deployed', '01T10:00:00'),
      row('1.1.0', 'deployed', '02T10:00:00'),
      row('1.0.0', 'deployed', '03T10:00:00'),
      row('1.2.0', 'completed', '04T10:00:00'),
    ];
    const rollbacks = findRollbacks(newestFirst(history));
    expect([...rollbacks]).toEqual([[history[2]!.versions_id, '1.1.0']]);
  });

  it('compares successful deployments only: failures and ongoing ones in between do not count', () => {
    const history = [
      row('2.0.0', 'deployed', '01T10:00:00'),
      row('2.1.0', 'failed', '02T10:00:00'),
      row('1.9.0', 'ongoing', '02T11:00:00'),
      row('2.0.1', 'deployed', '03T10:00:00'),
      row('3.0.0', 'failed', '03T11:00:00'),
      row('2.0.0', 'completed', '04T10:00:00'),
    ];
    const rollbacks = findRollbacks(newestFirst(history));
    expect([...rollbacks]).toEqual([[history[5]!.versions_id, '2.0.1']]);
  });

  it('keeps environments apart', () => {
    const history = [
      row('1.1.0', 'deployed', '01T10:00:00', 'prod'),
      row('1.0.0', 'deployed', '02T10:00:00', 'staging'),
      row('1.0.5', 'deployed', '03T10:00:00', 'prod'),
    ];
    const rollbacks = findRollbacks(newestFirst(history));
    expect([...rollbacks]).toEqual([[history[2]!.versions_id, '1.1.0']]);
  });

  it('gives no marker when a version is not a semantic version, or on the same version again', () => {
    const history = [
      row('1.1.0', 'deployed', '01T10:00:00'),
      row('main-4f2c', 'deployed', '02T10:00:00'),
      row('1.0.0', 'deployed', '03T10:00:00'),
      row('1.0.0', 'deployed', '04T10:00:00'),
    ];
    expect(findRollbacks(newestFirst(history)).size).toBe(0);
  });

  it('orders deployments of the same instant by id', () => {
    const first = row('1.2.0', 'deployed', '05T10:00:00');
    const second = row('1.1.0', 'deployed', '05T10:00:00');
    expect([...findRollbacks([second, first])]).toEqual([[second.versions_id, '1.2.0']]);
    expect([...findRollbacks([first, second].reverse())]).toEqual([[second.versions_id, '1.2.0']]);
  });

  it('reads the one before from earlier rows that are not shown, and marks only shown rows', () => {
    const older = row('3.0.0', 'deployed', '01T10:00:00');
    const shown = [row('2.9.0', 'deployed', '02T10:00:00'), row('3.1.0', 'deployed', '03T10:00:00')];
    expect(findRollbacks(newestFirst(shown)).size).toBe(0);
    const rollbacks = findRollbacks(newestFirst(shown), [older]);
    expect([...rollbacks]).toEqual([[shown[0]!.versions_id, '3.0.0']]);
    expect(rollbacks.has(older.versions_id)).toBe(false);
  });
});
