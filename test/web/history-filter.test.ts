// History filters: kept in the address, applied to rows by status, version text and the viewer's days.
import { describe, expect, it } from 'vitest';
import {
  dayInTimeZone,
  filterHistory,
  historyFilterQuery,
  isFiltering,
  NO_FILTER,
  parseHistoryFilter,
} from '../../web/src/model/history-filter.js';

const rows = [
  { version: '1.4.0', status: 'deployed', date: '2026-11-20T23:30:00.000Z' },
  { version: '1.4.1-rc.1', status: 'failed', date: '2026-11-19T10:00:00.000Z' },
  { version: '2.0.0', status: 'Failed', date: '2026-11-18T10:00:00.000Z' },
  { version: '1.3.9', status: 'ongoing', date: '2026-11-10T10:00:00.000Z' },
];

describe('the filter in the address', () => {
  it('reads and writes the query string, dropping what is empty or malformed', () => {
    const filter = parseHistoryFilter('?status=failed&version=+1.4+&from=2026-11-01&to=yesterday&page=3');
    expect(filter).toEqual({ status: 'failed', version: '1.4', from: '2026-11-01', to: '' });
    expect(historyFilterQuery(filter)).toBe('?status=failed&version=1.4&from=2026-11-01');
    expect(historyFilterQuery(NO_FILTER)).toBe('');
    expect(isFiltering(parseHistoryFilter(''))).toBe(false);
    expect(isFiltering(filter)).toBe(true);
  });

  it('survives a round trip with characters that need escaping', () => {
    const filter = { status: 'rolled back', version: 'a&b=c#d', from: '', to: '' };
    expect(parseHistoryFilter(historyFilterQuery(filter))).toEqual(filter);
  });
});

describe('filterHistory', () => {
  it('matches the status whole and case-insensitively', () => {
    const found = filterHistory(rows, { ...NO_FILTER, status: 'failed' }, 'UTC');
    expect(found.map((row) => row.version)).toEqual(['1.4.1-rc.1', '2.0.0']);
    expect(filterHistory(rows, { ...NO_FILTER, status: 'fail' }, 'UTC')).toEqual([]);
  });

  it('matches text the version contains, case-insensitively', () => {
    const found = filterHistory(rows, { ...NO_FILTER, version: 'RC' }, 'UTC');
    expect(found.map((row) => row.version)).toEqual(['1.4.1-rc.1']);
    expect(filterHistory(rows, { ...NO_FILTER, version: '1.4' }, 'UTC')).toHaveLength(2);
  });

  it('keeps the days from and to, both included, in the viewer’s time zone', () => {
    const range = { ...NO_FILTER, from: '2026-11-19', to: '2026-11-20' };
    expect(filterHistory(rows, range, 'UTC').map((row) => row.version)).toEqual(['1.4.0', '1.4.1-rc.1']);
    // 23:30 UTC on the 20th is already the 21st in Tokyo.
    expect(filterHistory(rows, range, 'Asia/Tokyo').map((row) => row.version)).toEqual(['1.4.1-rc.1']);
    expect(filterHistory(rows, { ...NO_FILTER, to: '2026-11-10' }, 'UTC')).toHaveLength(1);
  });

  it('combines the filters', () => {
    const filter = { status: 'failed', version: '2.', from: '2026-11-15', to: '' };
    expect(filterHistory(rows, filter, 'UTC').map((row) => row.version)).toEqual(['2.0.0']);
  });

  it('tells the day of an instant in a time zone', () => {
    expect(dayInTimeZone('2026-11-20T23:30:00Z', 'UTC')).toBe('2026-11-20');
    expect(dayInTimeZone('2026-11-20T23:30:00Z', 'Asia/Tokyo')).toBe('2026-11-21');
    expect(dayInTimeZone('not a date', 'UTC')).toBe('');
  });
});
