// GET /api/v1/deployments (issue 13's query API), as the workload page and the header search use it.
// Kept apart from client.ts, which its owner is reshaping; both read the token the same way.
import type { Deployment } from './types';
import { getJson, withoutBlanks } from './client';

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
  // These endpoints never answer 204: a body is always there.
  return (await getJson<DeploymentList>('/deployments', withoutBlanks({ ...query }), signal))!;
}
