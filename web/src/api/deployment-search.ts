// GET /api/v1/deployments (issue 13's query API), as the workload page and the header search use it.
// Kept apart from client.ts, which its owner is reshaping; both read the token the same way.
import type { Deployment } from './types';
import { readToken, tokenRequired } from './read-token';
import { ApiError } from './client';

/** The filters of GET /deployments the UI sends; an absent one is not sent. */
export interface DeploymentQuery {
  workload?: string;
  platform?: string;
  environment?: string;
  /** Comma-separated; `successful` means deployed or completed. */
  status?: string;
  /** Exact, or a prefix with a trailing `*`. */
  version?: string;
  /** ISO 8601 with a zone. */
  /** The start of a commit SHA. */
  commit?: string;
  deployer?: string;
  from?: string;
  to?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

export interface DeploymentList {
  items: Deployment[];
  nextCursor: string | null;
}

/** One page of deployments matching `query`, newest first. */
export async function searchDeployments(
  query: DeploymentQuery,
  signal?: AbortSignal,
): Promise<DeploymentList> {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = readToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(`/api/v1/deployments?${search}`, { headers, signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'The server could not be reached.');
  }
  if (response.status === 401) tokenRequired.value = true;
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: string } | null;
    throw new ApiError(response.status, body?.error ?? `The server answered ${response.status}.`);
  }
  return (await response.json()) as DeploymentList;
}
