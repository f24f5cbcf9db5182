// Carries deployment events between replicas over Redis pub/sub: what one replica writes, the others'
// event streams show. Redis is a convenience here, never a dependency of a write.
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { Deployment } from '../deployments/deployment.js';
import type { DeploymentEvent, DeploymentEvents } from './deployment-events.js';

export interface RedisRelayOptions {
  /** redis://[:password@]host:port[/db] */
  uri: string;
  events: DeploymentEvents;
  log: Logger;
  /** Default: `versions:events:<db>` (pub/sub ignores the db number, so it goes into the name). */
  channel?: string;
}

/** What goes over the channel. */
interface RelayMessage {
  /** The process that published it, so that it ignores its own messages. */
  source: string;
  event: DeploymentEvent['event'];
  deployment: Deployment;
}

const RECONNECT_MAX_MS = 5_000;
const PUBLISH_TIMEOUT_MS = 2_000;

/**
 * Publishes every local event on a Redis channel and re-publishes on the local bus, with origin `remote`,
 * what other processes published. Uses two connections (a subscribed one can do nothing else). While Redis
 * is away, local events are dropped at once (no queue, no wait) and both connections keep reconnecting.
 */
export class RedisRelay {
  /** This process's id in messages. */
  readonly id = randomUUID();
  readonly channel: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly log: Logger;
  private readonly events: DeploymentEvents;
  private unsubscribe?: () => void;
  private subscription?: Promise<void>;
  /** Set while Redis is unreachable, so that a long outage is logged once, not once per retry. */
  private down = false;
  private stopping = false;
  private dropped = 0;

  constructor(options: RedisRelayOptions) {
    this.log = options.log.child({ component: 'redis-relay' });
    this.events = options.events;
    this.channel = options.channel ?? defaultChannel(options.uri);
    const common: RedisOptions = {
      lazyConnect: true,
      retryStrategy: (attempt) => Math.min(attempt * 200, RECONNECT_MAX_MS),
    };
    // No offline queue: a publish while Redis is away fails at once instead of piling up or waiting.
    this.publisher = new Redis(options.uri, {
      ...common,
      connectionName: 'versions-events-publisher',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: PUBLISH_TIMEOUT_MS,
    });
    // The subscriber's SUBSCRIBE waits for a connection however long it takes; ioredis subscribes again
    // after every reconnect.
    this.subscriber = new Redis(options.uri, {
      ...common,
      connectionName: 'versions-events-subscriber',
      maxRetriesPerRequest: null,
    });
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error: Error) => this.unreachable(error.message));
      client.on('close', () => {
        if (!this.stopping) this.unreachable('connection closed');
      });
      client.on('ready', () => this.reachable());
    }
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
  }

  /**
   * Starts relaying. Resolves once the subscription is in place; while Redis is away it stays pending
   * (callers that must not wait, such as start-up, do not await it). Writes are relayed from now on either way.
   */
  start(): Promise<void> {
    if (this.subscription) return this.subscription;
    this.unsubscribe = this.events.subscribe((event) => {
      if (event.origin === 'local') this.send(event);
    });
    this.publisher.connect().catch(() => undefined); // failures arrive as 'error' events and are retried
    this.subscription = this.subscriber.connect().then(
      () => this.subscribeChannel(),
      () => this.subscribeChannel(),
    );
    return this.subscription;
  }

  /** Stops relaying and closes both connections. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.all([close(this.publisher), close(this.subscriber)]);
  }

  private async subscribeChannel(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
      this.log.info({ channel: this.channel }, 'relaying deployment events through Redis');
    } catch (error) {
      // Only when the connection was closed for good (stop() before Redis ever answered).
      this.log.debug({ err: (error as Error).message }, 'redis relay: not subscribed');
    }
  }

  private send(event: DeploymentEvent): void {
    if (this.publisher.status !== 'ready') {
      this.dropped++;
      return;
    }
    const message: RelayMessage = { source: this.id, event: event.event, deployment: event.deployment };
    this.publisher.publish(this.channel, JSON.stringify(message)).catch((error: Error) => {
      this.dropped++;
      this.log.warn({ err: error.message }, 'redis relay: an event was not published to other replicas');
    });
  }

  private receive(text: string): void {
    let message: Partial<RelayMessage>;
    try {
      message = JSON.parse(text) as Partial<RelayMessage>;
    } catch {
      this.log.warn('redis relay: ignored a message that is not JSON');
      return;
    }
    if (message.source === this.id) return;
    if (!isRelayMessage(message)) {
      this.log.warn('redis relay: ignored a message of unknown shape');
      return;
    }
    this.events.publish({ event: message.event, deployment: message.deployment, origin: 'remote' });
  }

  private unreachable(reason: string): void {
    if (this.down) return;
    this.down = true;
    this.log.warn(
      { err: reason },
      'redis relay: Redis unreachable; events stay on this replica until it is back (retrying)',
    );
  }

  private reachable(): void {
    if (!this.down) return;
    this.down = false;
    this.log.info({ dropped: this.dropped }, 'redis relay: Redis reachable again');
    this.dropped = 0;
  }
}

/** `versions:events:<db>`: installations sharing a Redis server on different db numbers stay apart. */
export function defaultChannel(uri: string): string {
  let db = '0';
  try {
    db = /^\/(\d+)/.exec(new URL(uri).pathname)?.[1] ?? '0';
  } catch {
    // ioredis reports an unusable URI itself
  }
  return `versions:events:${db}`;
}

function isRelayMessage(message: Partial<RelayMessage>): message is RelayMessage {
  const deployment = message.deployment as Partial<Deployment> | undefined;
  return (
    typeof message.source === 'string' &&
    (message.event === 'created' || message.event === 'status' || message.event === 'deleted') &&
    typeof deployment === 'object' &&
    deployment !== null &&
    typeof deployment.versions_id === 'number'
  );
}

/** QUIT when connected (what was published is sent first), otherwise just drop the connection. */
async function close(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through to disconnect
    }
  }
  client.disconnect();
}
