// Filters of a platform's or an environment's history: by status, by version text, by a range of days. They
// live in the address (`?status=failed&version=1.4&from=2026-11-01&to=2026-11-20`) so that a filtered
// history can be shared as a link.
//
// Imports carry their `.js` extension: test/web runs these functions under Node's module resolution too.
import type { DeploymentRow } from './rollbacks.js';

export interface HistoryFilter {
  /** A status, matched whole and case-insensitively; '' for any. */
  status: string;
  /** Text the version contains, case-insensitively; '' for any. */
  version: string;
  /** First and last day, `YYYY-MM-DD` in the viewer's time zone, both included; '' for no bound. */
  from: string;
  to: string;
}

export const NO_FILTER: Readonly<HistoryFilter> = { status: '', version: '', from: '', to: '' };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The filter an address's query string holds; parameters that make no sense are ignored. */
export function parseHistoryFilter(search: string): HistoryFilter {
  const params = new URLSearchParams(search);
  const text = (name: string) => (params.get(name) ?? '').trim();
  const day = (name: string) => (DAY.test(text(name)) ? text(name) : '');
  return { status: text('status'), version: text('version'), from: day('from'), to: day('to') };
}

/** The query string of a filter, `?status=failed…`, or '' when it filters nothing. */
export function historyFilterQuery(filter: HistoryFilter): string {
  const params = new URLSearchParams();
  for (const name of ['status', 'version', 'from', 'to'] as const) {
    const value = filter[name].trim();
    if (value) params.set(name, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function isFiltering(filter: HistoryFilter): boolean {
  return historyFilterQuery(filter) !== '';
}

/** `YYYY-MM-DD` of an instant in a time zone (the viewer's unless told). */
export function dayInTimeZone(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    timeZone,
  }).format(date);
}

/** The rows the filter keeps, in their order. Days are the viewer's (or `timeZone`'s) days. */
export function filterHistory<Row extends Pick<DeploymentRow, 'status' | 'version' | 'date'>>(
  rows: readonly Row[],
  filter: HistoryFilter,
  timeZone?: string,
): Row[] {
  const status = filter.status.trim().toLowerCase();
  const version = filter.version.trim().toLowerCase();
  return rows.filter((row) => {
    if (status && row.status.trim().toLowerCase() !== status) return false;
    if (version && !row.version.toLowerCase().includes(version)) return false;
    if (filter.from || filter.to) {
      const day = dayInTimeZone(row.date, timeZone);
      if (filter.from && day < filter.from) return false;
      if (filter.to && day > filter.to) return false;
    }
    return true;
  });
}
