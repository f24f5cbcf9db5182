// The audit log's words: who wrote (the token's name, the request's address), what, and when.
import type { Deployment } from '../deployments/deployment.js';

/** The writes that are audited; the same words as the events and webhooks that announce them. */
export type AuditAction = 'created' | 'status' | 'deleted';

/** Who made a write: the name of its token (null when writes are open or tokens unnamed) and its address. */
export interface Actor {
  tokenName: string | null;
  address: string | null;
}

/** One audited write, as GET /audit answers it. */
export interface AuditEntry {
  id: number;
  /** ISO 8601 in UTC. */
  date: string;
  action: AuditAction;
  versionId: number;
  tokenName: string | null;
  address: string | null;
  /** The deployment after the write; before it, for a delete, so that a deleted one stays readable here. */
  deployment: Deployment;
}

/**
 * Who made a write and when: handed to the store with the write, which appends the audit row in the write's
 * own transaction, so that an acknowledged write is never missing from the log nor a failed one in it.
 */
export interface AuditStamp extends Actor {
  date: Date;
}
