// GET /api/v1/stats/dora with `groupBy` and `bucketDays` (issue 13): a table's lines and a trend's spans in
// one request each. Kept apart from client.ts, which others are reshaping; it reads the token the same way.
import type { DoraAnswer, QueryOf, Tier } from './types';
import { getJson, withoutBlanks } from './client';

export type { DoraAnswer, DoraGroup } from './types';

/** The query the DORA page sends: always a window, a tier of the known ones. */
export type DoraQuery = Pick<QueryOf<'/api/v1/stats/dora'>, 'workload' | 'groupBy' | 'bucketDays'> & {
  tier?: Tier;
  days: number;
};

export async function doraStats(query: DoraQuery, signal?: AbortSignal): Promise<DoraAnswer> {
  // These endpoints never answer 204: a body is always there.
  return (await getJson<DoraAnswer>('/stats/dora', withoutBlanks({ ...query }), signal))!;
}
