// GET /api/v1/audit: every write (created, status, deleted) with who made it, newest first, by cursor.
import type { Deployment } from './types';
import { readToken, tokenRequired } from './read-token';
import { ApiError } from './client';

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
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = readToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(`/api/v1/audit?${search}`, { headers, signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'The server could not be reached.');
  }
  if (response.status === 401) tokenRequired.value = true;
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: string } | null;
    throw new ApiError(response.status, body?.error ?? `The server answered ${response.status}.`);
  }
  return (await response.json()) as AuditPage;
}
