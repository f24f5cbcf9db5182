// GET /api/v1/stats/dora with `groupBy` and `bucketDays` (issue 13): a table's lines and a trend's spans in
// one request each. Kept apart from client.ts, which others are reshaping; it reads the token the same way.
import type { DoraFigures, Tier } from './types';
import { readToken, tokenRequired } from './read-token';
import { ApiError } from './client';

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
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = readToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(`/api/v1/stats/dora?${search}`, { headers, signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'The server could not be reached.');
  }
  if (response.status === 401) tokenRequired.value = true;
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: string } | null;
    throw new ApiError(response.status, body?.error ?? `The server answered ${response.status}.`);
  }
  return (await response.json()) as DoraAnswer;
}
