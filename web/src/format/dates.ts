/** The viewer's IANA time zone, e.g. `Europe/Paris`; every date on the page is shown in it. */
export const viewerTimeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const dateTimeParts = new Intl.DateTimeFormat('en-CA', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

const offsetName = new Intl.DateTimeFormat('en-US', { timeZoneName: 'longOffset' });

/** `2024-05-01 14:03:22` in the viewer's time zone; the input itself when it is not a date. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const part = Object.fromEntries(dateTimeParts.formatToParts(date).map(({ type, value }) => [type, value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`;
}

/** The viewer's zone and its current offset: `Europe/Paris (GMT+02:00)`. */
export function describeTimeZone(at: Date = new Date()): string {
  const offset = offsetName.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value;
  return offset ? `${viewerTimeZone} (${offset})` : viewerTimeZone;
}

const UNITS: ReadonlyArray<readonly [label: string, seconds: number]> = [
  ['y', 365 * 24 * 3600],
  ['mo', 30 * 24 * 3600],
  ['d', 24 * 3600],
  ['h', 3600],
  ['min', 60],
  ['s', 1],
];

/** How long ago `iso` was, compactly: `just now`, `42 s ago`, `3 h ago`, `2 d ago`. */
export function formatRelative(iso: string, now: number): string {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return '';
  const seconds = Math.round((now - then) / 1000);
  // A few seconds in the future is clock skew between server and browser, not time travel.
  if (seconds < 10) return seconds < -60 ? 'in the future' : 'just now';
  for (const [label, size] of UNITS) {
    if (seconds >= size) return `${Math.floor(seconds / size)} ${label} ago`;
  }
  return 'just now';
}

const utcDayFormats = {
  monthDay: new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'UTC' }),
  weekday: new Intl.DateTimeFormat('en', { weekday: 'short', timeZone: 'UTC' }),
  weekdayLong: new Intl.DateTimeFormat('en', { weekday: 'long', timeZone: 'UTC' }),
};

/** A UTC day `2024-05-03` as `May 3` (monthDay), `Fri` (weekday) or `Friday` (weekdayLong). */
export function formatUtcDay(day: string, style: keyof typeof utcDayFormats): string {
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : utcDayFormats[style].format(date);
}

/** A duration in seconds, compactly, its two largest units: `42 s`, `12 min`, `2 h 5 min`, `3 d 4 h`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 1) return '< 1 s';
  const whole = Math.floor(seconds);
  const pair = (size: number, label: string, smallSize: number, smallLabel: string) => {
    const big = Math.floor(whole / size);
    const small = Math.floor((whole % size) / smallSize);
    return small > 0 ? `${big} ${label} ${small} ${smallLabel}` : `${big} ${label}`;
  };
  if (whole < 60) return `${whole} s`;
  if (whole < 600) return pair(60, 'min', 1, 's');
  if (whole < 3600) return `${Math.floor(whole / 60)} min`;
  if (whole < 24 * 3600) return pair(3600, 'h', 60, 'min');
  return pair(24 * 3600, 'd', 3600, 'h');
}
