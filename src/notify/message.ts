// What every kind of receiver shares: the event as formatters see it, the message a formatter makes of it,
// and the facts of a deployment that messages show.
import { SUCCESSFUL_STATUSES, type Deployment } from '../deployments/deployment.js';
import type { DeploymentEvent } from '../events/deployment-events.js';

/** One HTTP request of one attempt. */
export interface OutgoingRequest {
  method: 'POST' | 'PATCH';
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What a receiver's queue holds for one event. */
export interface Message {
  event: DeploymentEvent['event'];
  /** The bytes this message keeps in memory while it waits, counted against the queue's bound. */
  bytes: number;
  /** The request of attempt `attempt` (1, 2, ...), built when it is sent; undefined: nothing left to send. */
  request(attempt: number): OutgoingRequest | undefined;
  /** Given the body of the successful answer, for kinds that need it (Grafana's annotation id). */
  delivered?(answer: string): void;
}

/** An event as formatters get it: when it happened, and its webhook body made once for every receiver. */
export interface NotifyEvent {
  event: DeploymentEvent['event'];
  deployment: Deployment;
  /** When the write happened (this server's clock). */
  at: Date;
  /** `{"event","deployment"}` as JSON: the webhook body, made on first use and shared. */
  json(): string;
}

/** Turns events into messages for one receiver; undefined when the event needs no message. */
export interface Formatter {
  format(event: NotifyEvent, deliveryId: string): Message | undefined;
}

/** A create or a status change: what chat messages and annotations are about (not a deleted record). */
export function isDeploymentChange(event: { event: string }): boolean {
  return event.event === 'created' || event.event === 'status';
}

export type Outcome = 'success' | 'failure' | 'other';

export function outcomeOf(status: string): Outcome {
  if ((SUCCESSFUL_STATUSES as readonly string[]).includes(status)) return 'success';
  return status === 'failed' ? 'failure' : 'other';
}

/** A deployment as messages show it: the row's names and what was recorded about who and which commit. */
export interface DeploymentFacts {
  id: number;
  workload: string;
  platform: string;
  environment: string;
  version: string;
  status: string;
  outcome: Outcome;
  deployer?: string;
  /** The commit's SHA as recorded, and its first 7 characters for display. */
  commit?: string;
  shortCommit?: string;
  /** The deployment's page in the UI, when APP_PUBLIC_URL is set. */
  link?: string;
  /** The pipeline's log and the deployed environment, when recorded (http/https only). */
  logUrl?: string;
  environmentUrl?: string;
}

/**
 * The facts of a deployment. `deployer` and `commit` are read only when the row carries them as strings:
 * rows of deployments recorded without them (and of servers that do not store them) simply lack them.
 */
export function factsOf(deployment: Deployment, publicUrl: string | undefined): DeploymentFacts {
  const extra = deployment as Deployment & {
    deployer?: unknown;
    commit?: unknown;
    logURL?: unknown;
    environmentURL?: unknown;
  };
  const facts: DeploymentFacts = {
    id: deployment.versions_id,
    workload: deployment.workload,
    platform: deployment.platform,
    environment: deployment.environment,
    version: deployment.version,
    status: deployment.status,
    outcome: outcomeOf(deployment.status),
  };
  if (typeof extra.deployer === 'string' && extra.deployer !== '') facts.deployer = extra.deployer;
  if (typeof extra.commit === 'string' && extra.commit !== '') {
    facts.commit = extra.commit;
    facts.shortCommit = extra.commit.slice(0, 7);
  }
  if (publicUrl) facts.link = `${publicUrl}/ui/deployment/${deployment.versions_id}`;
  // Only web links: a message's button must never become a javascript: or file: link.
  const web = (url: unknown) => (typeof url === 'string' && /^https?:\/\//i.test(url) ? url : undefined);
  const logUrl = web(extra.logURL);
  const environmentUrl = web(extra.environmentURL);
  if (logUrl) facts.logUrl = logUrl;
  if (environmentUrl) facts.environmentUrl = environmentUrl;
  return facts;
}

/** The links a message offers as buttons: the deployment's page, its log, its environment. */
export function linksOf(facts: DeploymentFacts): Array<{ title: string; url: string }> {
  const links: Array<{ title: string; url: string }> = [];
  if (facts.link) links.push({ title: `Deployment #${facts.id}`, url: facts.link });
  if (facts.logUrl) links.push({ title: 'Log', url: facts.logUrl });
  if (facts.environmentUrl) links.push({ title: 'Environment', url: facts.environmentUrl });
  return links;
}

/** "teamX 1.4.0 → production/eu: deployed", the one line every kind can show. */
export function headline(facts: DeploymentFacts): string {
  return `${facts.workload} ${facts.version} → ${facts.platform}/${facts.environment}: ${facts.status}`;
}

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;
