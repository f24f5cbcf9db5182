// GET /api/v1/stats/dora with `groupBy` and `bucketDays` (issue 13): a table's lines and a trend's spans in
// one request each. Kept apart from client.ts, which others are reshaping; it reads the token the same way.
import type { DoraFigures, Tier } from './types';
import { getJson, withoutBlanks } from './client';

export interface DoraGroup extends DoraFigures {
  workload: string;
  platform?: string;
  environment?: string;
}

/** The window's figures, with `groups` and `buckets` when asked for. */
export interface DoraAnswer extends DoraFigures {
  groups?: DoraGroup[];
  /** Consecutive spans of the window, oldest first; the newest ends at `to`. */
  buckets?: DoraFigures[];
}

export interface DoraQuery {
  workload?: string;
  tier?: Tier;
  days: number;
  groupBy?: 'workload' | 'environment';
  bucketDays?: number;
}

export async function doraStats(query: DoraQuery, signal?: AbortSignal): Promise<DoraAnswer> {
  // These endpoints never answer 204: a body is always there.
  return (await getJson<DoraAnswer>('/stats/dora', withoutBlanks({ ...query }), signal))!;
}
