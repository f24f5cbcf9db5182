// A deployment's status timeline: each status with how long after the previous one and after creation.
import type { HistoryEntry } from '../api/types.js';

export interface TimelineStep extends HistoryEntry {
  /** Seconds since the previous status; null for the first (the creation). */
  sincePrevious: number | null;
  /** Seconds since the creation; null for the creation itself. */
  sinceCreation: number | null;
}

/** The steps of a history (oldest first, as GET /read/history sends it). A step dated before the one before it
 * (a backfilled creation date ahead of the server's clock) counts 0 rather than a negative time. */
export function timelineSteps(history: readonly HistoryEntry[]): TimelineStep[] {
  const start = Date.parse(history[0]?.date ?? '');
  return history.map((entry, index) => {
    if (index === 0) return { ...entry, sincePrevious: null, sinceCreation: null };
    const at = Date.parse(entry.date);
    const before = Date.parse(history[index - 1]?.date ?? '');
    const seconds = (from: number) => (Number.isNaN(at - from) ? null : Math.max(0, (at - from) / 1000));
    return { ...entry, sincePrevious: seconds(before), sinceCreation: seconds(start) };
  });
}
