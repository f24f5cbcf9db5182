import type { Deployment } from '../deployments/deployment.js';

/** A write that happened: a deployment created, its status changed, or (a correction) deleted. */
export interface DeploymentEvent {
  /** `deleted` carries the deployment as it was before its removal. */
  event: 'created' | 'status' | 'deleted';
  deployment: Deployment;
  /** `local` when this process made the write; `remote` when it was relayed from another replica. */
  origin: 'local' | 'remote';
}

export type DeploymentListener = (event: DeploymentEvent) => void;

/** In-process publish/subscribe of writes: live updates, webhooks and replication hang off it. */
export class DeploymentEvents {
  private readonly listeners = new Set<DeploymentListener>();

  /** Calls `listener` for every later event; returns the function that stops it. */
  subscribe(listener: DeploymentListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers to every listener; a listener that throws never stops the others or the write. */
  publish(event: DeploymentEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // Listeners own their errors; a write is never failed by one of them.
      }
    }
  }
}
