// History filters: kept in the address, sent to GET /api/v1/deployments as its parameters (the server
// filters; the browser only translates days of the viewer's time zone into instants).
import { describe, expect, it } from 'vitest';
import {
  deploymentQuery,
  endOfDay,
  exportHref,
  historyFilterQuery,
  isFiltering,
  NO_FILTER,
  parseCursor,
  parseHistoryFilter,
  startOfDay,
} from '../../web/src/model/history-filter.js';

describe('the filter in the address', () => {
  it('reads and writes the query string, dropping what is empty or malformed', () => {
    const filter = parseHistoryFilter(
      '?status=failed&version=+1.4*+&deployer=ada&from=2026-11-01&to=yesterday&page=3&cursor=abc',
    );
    expect(filter).toEqual({
      ...NO_FILTER,
      status: 'failed',
      version: '1.4*',
      deployer: 'ada',
      from: '2026-11-01',
    });
    expect(historyFilterQuery(filter)).toBe('?status=failed&version=1.4*&deployer=ada&from=2026-11-01');
    expect(historyFilterQuery(filter, 'abc')).toBe(
      '?status=failed&version=1.4*&deployer=ada&from=2026-11-01&cursor=abc',
    );
    expect(parseCursor('?status=failed&cursor=abc')).toBe('abc');
    expect(historyFilterQuery(NO_FILTER)).toBe('');
    expect(isFiltering(parseHistoryFilter('?cursor=abc'))).toBe(false);
    expect(isFiltering(filter)).toBe(true);
  });

  it('survives a round trip with characters that need escaping', () => {
    const filter = { ...NO_FILTER, status: 'rolled back', version: 'a&b=c#d', commit: 'c0ffee' };
    expect(parseHistoryFilter(historyFilterQuery(filter))).toEqual(filter);
  });
});

describe('the query of GET /api/v1/deployments', () => {
  it('sends the scope and every filter, days as the instants they start and end', () => {
    const filter = {
      ...NO_FILTER,
      status: 'successful',
      commit: 'abc1234',
      from: '2026-11-01',
      to: '2026-11-20',
    };
    const query = deploymentQuery({ workload: 'teamX', platform: 'production', environment: 'eu' }, filter);
    expect(query).toEqual({
      workload: 'teamX',
      platform: 'production',
      environment: 'eu',
      status: 'successful',
      commit: 'abc1234',
      from: startOfDay('2026-11-01'),
      to: endOfDay('2026-11-20'),
    });
    expect(Date.parse(endOfDay('2026-11-20')) - Date.parse(startOfDay('2026-11-20'))).toBe(86_400_000 - 1);
    expect(deploymentQuery({ workload: 'w', platform: 'p' }, NO_FILTER)).toEqual({
      workload: 'w',
      platform: 'p',
    });
  });

  it('links the CSV export of the same deployments', () => {
    expect(exportHref({ workload: 'team X', platform: 'p' }, { ...NO_FILTER, status: 'failed' })).toBe(
      '/api/v1/deployments?workload=team+X&platform=p&status=failed&format=csv',
    );
  });
});
