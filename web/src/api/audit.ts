// GET /api/v1/audit: every write (created, status, deleted) with who made it, newest first, by cursor.
import type { Answer, QueryOf } from './types';
import { getJson, withoutBlanks } from './client';

/** One page of the log: `items`, and the cursor of the next page (null on the last). */
export type AuditPage = Answer<'/api/v1/audit'>;

/** A write: the deployment after it (as it was before, for a delete), who made it and from where. */
export type AuditEntry = AuditPage['items'][number];

export type AuditAction = AuditEntry['action'];

/** The filters and the cursor; a blank filter (a form left empty) is not sent. */
export type AuditQuery = Omit<QueryOf<'/api/v1/audit'>, 'action'> & { action?: AuditAction | '' };

/** One page of the audit log (400 ApiError for a bad filter or cursor). */
export async function auditPage(query: AuditQuery, signal?: AbortSignal): Promise<AuditPage> {
  // These endpoints never answer 204: a body is always there.
  return (await getJson<AuditPage>('/audit', withoutBlanks({ ...query }), signal))!;
}
