// DORA figures in words, as the DORA page prints them.
import { formatDuration } from './dates';

/** Successful deployments per day, in the unit that reads best: `3.3 a day`, `2 a week`, `1.5 a month`. */
export function formatFrequency(perDay: number): string {
  if (perDay <= 0) return 'none';
  const round = (value: number) =>
    value >= 10 ? String(Math.round(value)) : String(Math.round(value * 10) / 10);
  if (perDay >= 1) return `${round(perDay)} a day`;
  if (perDay * 7 >= 1) return `${round(perDay * 7)} a week`;
  return `${round(perDay * 30)} a month`;
}

/** A rate as a whole percentage, `12 %`; `—` when there is none. */
export function formatRate(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 100)} %`;
}

/** A median in seconds as a duration; `—` when nothing was measured. */
export function formatMedian(seconds: number | null): string {
  return seconds === null ? '—' : formatDuration(seconds);
}
