// Filters of a history: by status, version, deployer, commit and a range of days. They live in the address
// (`?status=failed&version=1.4*&from=2026-11-01&to=2026-11-20`) so that a filtered history can be shared as a
// link, and become the query of GET /api/v1/deployments: the server filters and pages, never the browser.
//
// Imports carry their `.js` extension: test/web runs these functions under Node's module resolution too.

import { API_ROOT } from '../api/generated/constants.js';

export interface HistoryFilter {
  /** Comma-separated statuses (`successful` = deployed or completed); '' for any. */
  status: string;
  /** The version exactly, or its start followed by `*`; '' for any. */
  version: string;
  /** Who deployed, exactly; '' for anyone. */
  deployer: string;
  /** The start of the commit SHA; '' for any. */
  commit: string;
  /** First and last day, `YYYY-MM-DD` in the viewer's time zone, both included; '' for no bound. */
  from: string;
  to: string;
}

export const NO_FILTER: Readonly<HistoryFilter> = {
  status: '',
  version: '',
  deployer: '',
  commit: '',
  from: '',
  to: '',
};

const FIELDS = ['status', 'version', 'deployer', 'commit', 'from', 'to'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The filter an address's query string holds; malformed days are ignored. */
export function parseHistoryFilter(search: string): HistoryFilter {
  const params = new URLSearchParams(search);
  const text = (name: string) => (params.get(name) ?? '').trim();
  const day = (name: string) => (DAY.test(text(name)) ? text(name) : '');
  return {
    status: text('status'),
    version: text('version'),
    deployer: text('deployer'),
    commit: text('commit'),
    from: day('from'),
    to: day('to'),
  };
}

/** The cursor of the page the address shows ('' for the first). */
export function parseCursor(search: string): string {
  return (new URLSearchParams(search).get('cursor') ?? '').trim();
}

/** The query string of a filter (and a cursor), `?status=failed…`, or '' when it filters nothing. */
export function historyFilterQuery(filter: HistoryFilter, cursor = ''): string {
  const params = new URLSearchParams();
  for (const name of FIELDS) {
    const value = filter[name].trim();
    if (value) params.set(name, value);
  }
  if (cursor) params.set('cursor', cursor);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function isFiltering(filter: HistoryFilter): boolean {
  return historyFilterQuery(filter) !== '';
}

/** The instant a day (`YYYY-MM-DD`) starts in the viewer's time zone, as ISO 8601 in UTC. */
export function startOfDay(day: string): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year ?? 1970, (month ?? 1) - 1, date ?? 1).toISOString();
}

/** The last millisecond of a day in the viewer's time zone (the databases keep milliseconds). */
export function endOfDay(day: string): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(new Date(year ?? 1970, (month ?? 1) - 1, (date ?? 1) + 1).getTime() - 1).toISOString();
}

/** Which deployments a history shows: a workload's platform, or one of its environments. */
export interface HistoryScope {
  workload: string;
  platform: string;
  environment?: string;
}

/** The parameters of GET /api/v1/deployments for a history and its filter; empty ones are left out. */
export function deploymentQuery(scope: HistoryScope, filter: HistoryFilter): Record<string, string> {
  const query: Record<string, string> = { workload: scope.workload, platform: scope.platform };
  if (scope.environment) query.environment = scope.environment;
  for (const name of ['status', 'version', 'deployer', 'commit'] as const) {
    const value = filter[name].trim();
    if (value) query[name] = value;
  }
  if (filter.from) query.from = startOfDay(filter.from);
  if (filter.to) query.to = endOfDay(filter.to);
  return query;
}

/** The address of a history's CSV export: every deployment the filter keeps, no limit. */
export function exportHref(scope: HistoryScope, filter: HistoryFilter): string {
  return `${API_ROOT}/deployments?${new URLSearchParams({ ...deploymentQuery(scope, filter), format: 'csv' })}`;
}
