// GET /api/v1/audit: every write (created, status, deleted) with who made it, newest first, by cursor.
import type { Deployment } from './types';
import { getJson, withoutBlanks } from './client';

export type AuditAction = 'created' | 'status' | 'deleted';

export interface AuditEntry {
  id: number;
  date: string;
  action: AuditAction;
  versionId: number;
  tokenName: string | null;
  address: string | null;
  /** The deployment after the write; as it was before, for a delete. */
  deployment: Deployment;
}

export interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}

export interface AuditQuery {
  versionId?: string;
  action?: AuditAction | '';
  limit?: number;
  cursor?: string;
}

/** One page of the audit log (400 ApiError for a bad filter or cursor). */
export async function auditPage(query: AuditQuery, signal?: AbortSignal): Promise<AuditPage> {
  // These endpoints never answer 204: a body is always there.
  return (await getJson<AuditPage>('/audit', withoutBlanks({ ...query }), signal))!;
}
