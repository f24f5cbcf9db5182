// Delivers every local write to the receivers of APP_NOTIFY and APP_WEBHOOK_URLS: Slack, Teams, Grafana and
// signed webhooks. Each receiver has its own queue, bounded in events and in bytes, and one delivery in flight
// at a time, so events reach it in order and a dead or slow receiver only ever delays (then drops) its own
// deliveries, never the writes nor the other receivers.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DeploymentEvent, DeploymentEvents } from '../events/deployment-events.js';
import { grafanaFormatter } from './grafana.js';
import type { Formatter, Message, NotifyEvent, OutgoingRequest } from './message.js';
import { compileFilter, describeReceiver, type NotifyReceiver, type ReceiverKind } from './receivers.js';
import { slackFormatter } from './slack.js';
import { teamsFormatter } from './teams.js';
import { webhookFormatter } from './webhook.js';

export interface NotifierOptions {
  receivers: readonly NotifyReceiver[];
  /** HMAC key of webhook receivers without their own `secret`; unsigned (with a warning) when empty. */
  webhookSecret?: string;
  /** The UI's address, for links in messages (APP_PUBLIC_URL); no links without it. */
  publicUrl?: string;
  logger: Logger;
  /** Where to register the notification counters; none without it. */
  registry?: Registry;
  /** Per attempt, from sending the request to the end of the answer's headers. */
  timeoutMs?: number;
  /** Attempts per delivery, the first included. */
  maxAttempts?: number;
  /** Back-off before the second attempt; doubles each time, with jitter, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Events waiting per receiver; beyond it the oldest is dropped. */
  maxQueue?: number;
  /** Bytes of messages waiting per receiver (APP_NOTIFY_QUEUE_BYTES); beyond it the oldest are dropped. */
  maxQueueBytes?: number;
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** 0 ≤ random() < 1, for the jitter; injected in tests. */
  random?: () => number;
  /** The clock of events (Grafana's timeEnd); injected in tests. */
  now?: () => Date;
}

/** The body a webhook receiver gets, as the contract fixes it. */
export interface WebhookPayload {
  event: DeploymentEvent['event'];
  deployment: DeploymentEvent['deployment'];
}

export const NOTIFY_DEFAULTS = {
  timeoutMs: 5000,
  maxAttempts: 6,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  maxQueue: 1000,
  maxQueueBytes: 16 * 1024 * 1024,
};
const USER_AGENT = 'versions-webhooks/2';
/** The most of an answer's body read (Grafana's `{"id":...}` is tiny); the rest is discarded. */
const MAX_ANSWER_BYTES = 64 * 1024;

type Outcome = 'delivered' | 'failed' | 'dropped';

interface Settings {
  timeoutMs: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxQueue: number;
  maxQueueBytes: number;
  fetch: typeof fetch;
  random: () => number;
  logger: Logger;
  count: (receiver: Receiver, outcome: Outcome) => void;
}

/** The publisher of notifications: start() subscribes to the event bus, stop() unsubscribes and flushes briefly. */
export class Notifier {
  private readonly receivers: Receiver[];
  private readonly logger: Logger;
  private readonly unsigned: boolean;
  private readonly now: () => Date;
  private unsubscribe: (() => void) | undefined;

  constructor(options: NotifierOptions) {
    const outcomes =
      options.registry &&
      new Counter({
        name: 'versions_notifications_total',
        help: 'Notifications by receiver (its number), kind and outcome: delivered, failed (after every attempt) or dropped (queue full)',
        labelNames: ['receiver', 'kind', 'outcome'],
        registers: [options.registry],
      });
    const settings: Settings = {
      timeoutMs: options.timeoutMs ?? NOTIFY_DEFAULTS.timeoutMs,
      maxAttempts: Math.max(1, options.maxAttempts ?? NOTIFY_DEFAULTS.maxAttempts),
      baseDelayMs: options.baseDelayMs ?? NOTIFY_DEFAULTS.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? NOTIFY_DEFAULTS.maxDelayMs,
      maxQueue: Math.max(1, options.maxQueue ?? NOTIFY_DEFAULTS.maxQueue),
      maxQueueBytes: Math.max(1, options.maxQueueBytes ?? NOTIFY_DEFAULTS.maxQueueBytes),
      fetch: options.fetch ?? globalThis.fetch,
      random: options.random ?? Math.random,
      logger: options.logger,
      count: (receiver, outcome) =>
        outcomes?.inc({ receiver: String(receiver.number), kind: receiver.kind, outcome }),
    };
    const secret = options.webhookSecret ?? '';
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
    this.receivers = options.receivers.map(
      (receiver, index) =>
        new Receiver(receiver, index + 1, formatterOf(receiver, secret, options.publicUrl), settings),
    );
    this.unsigned = options.receivers.some(
      (receiver) => receiver.kind === 'webhook' && !receiver.secret && !secret,
    );
    if (options.registry) {
      const receivers = this.receivers;
      new Gauge({
        name: 'versions_notification_queue_bytes',
        help: 'Bytes of notifications waiting per receiver (its number) and kind, in flight included',
        labelNames: ['receiver', 'kind'],
        registers: [options.registry],
        collect() {
          for (const receiver of receivers) {
            this.set({ receiver: String(receiver.number), kind: receiver.kind }, receiver.pendingBytes);
          }
        },
      });
    }
  }

  /** Delivers every later local event; events relayed from other replicas were delivered by their origin. */
  start(events: DeploymentEvents): void {
    if (this.receivers.length === 0 || this.unsubscribe) return;
    if (this.unsigned) {
      this.logger.warn(
        'APP_WEBHOOK_SECRET is not set: webhooks are sent unsigned, receivers cannot verify them',
      );
    }
    this.unsubscribe = events.subscribe((event) => {
      if (event.origin === 'local') this.enqueue(event);
    });
  }

  /** Queues `event` for every receiver whose filter takes it and returns at once; nobody waits for a delivery. */
  enqueue(event: DeploymentEvent): void {
    let json: string | undefined;
    const payload: WebhookPayload = { event: event.event, deployment: event.deployment };
    const notifyEvent: NotifyEvent = {
      event: event.event,
      deployment: event.deployment,
      at: this.now(),
      json: () => (json ??= JSON.stringify(payload)),
    };
    for (const receiver of this.receivers) receiver.offer(notifyEvent);
  }

  /** How many deliveries are queued or in flight, over every receiver. */
  get pending(): number {
    return this.receivers.reduce((sum, receiver) => sum + receiver.pending, 0);
  }

  /** Bytes of the messages queued or in flight, over every receiver. */
  get pendingBytes(): number {
    return this.receivers.reduce((sum, receiver) => sum + receiver.pendingBytes, 0);
  }

  /** `#1 https://hooks.slack.com` per receiver: what logs call them (never a path, query or token). */
  get names(): string[] {
    return this.receivers.map((receiver) => receiver.name);
  }

  /**
   * Stops taking events, lets the queues drain for up to `flushMs` (retries included), then abandons what
   * is left, logging how many deliveries were lost.
   */
  async stop(flushMs = 2000): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.all(this.receivers.map((receiver) => receiver.drain(flushMs)));
    const lost = this.receivers.reduce((sum, receiver) => sum + receiver.abandon(), 0);
    // An aborted request settles within a tick or two; waiting for it leaves no loop running after stop().
    await Promise.all(this.receivers.map((receiver) => receiver.drain(500)));
    if (lost > 0) {
      this.logger.warn({ lost }, 'notifications: shutting down with undelivered events; they are dropped');
    }
  }
}

function formatterOf(receiver: NotifyReceiver, secret: string, publicUrl: string | undefined): Formatter {
  switch (receiver.kind) {
    case 'slack':
      return slackFormatter(receiver.url, publicUrl);
    case 'teams':
      return teamsFormatter(receiver.url, publicUrl);
    case 'grafana':
      return grafanaFormatter(receiver.url, receiver.token ?? '', publicUrl);
    case 'webhook':
      return webhookFormatter(receiver.url, receiver.secret ?? secret);
  }
}

interface Delivery {
  id: string;
  message: Message;
}

/** One receiver: its filter, its queue, and the loop that delivers the queue in order. */
class Receiver {
  readonly kind: ReceiverKind;
  readonly name: string;
  private readonly matches: ReturnType<typeof compileFilter>;
  private readonly queue: Delivery[] = [];
  private queuedBytes = 0;
  private inFlight: Delivery | undefined;
  private running = false;
  private stopped = false;
  /** Aborted by abandon(): cancels the request in flight and any back-off sleep. */
  private readonly abort = new AbortController();
  /** Set by drain(): retries no longer wait. */
  private hurry = false;
  /** Ends the back-off sleep under way, if any. */
  private wake: (() => void) | undefined;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    config: NotifyReceiver,
    readonly number: number,
    private readonly formatter: Formatter,
    private readonly settings: Settings,
  ) {
    this.kind = config.kind;
    this.name = `#${number} ${describeReceiver(config.url)}`;
    this.matches = compileFilter(config.filter);
  }

  get pending(): number {
    return this.queue.length + (this.inFlight ? 1 : 0);
  }

  get pendingBytes(): number {
    return this.queuedBytes + (this.inFlight?.message.bytes ?? 0);
  }

  /** Queues the event's message when the filter takes it, dropping the oldest waiting ones past the bounds. */
  offer(event: NotifyEvent): void {
    if (this.stopped || !this.matches(event.deployment)) return;
    const id = randomUUID();
    let message: Message | undefined;
    try {
      message = this.formatter.format(event, id);
    } catch (error) {
      this.settings.logger.error({ receiver: this.name, err: error }, 'notifications: formatting failed');
    }
    if (!message) return;
    const { maxQueue, maxQueueBytes } = this.settings;
    if (message.bytes > maxQueueBytes) {
      this.drop({ id, message }, 'larger than the whole queue');
      return;
    }
    this.queue.push({ id, message });
    this.queuedBytes += message.bytes;
    // What waits is bounded; the one delivery in flight comes on top (it was within the bound when queued).
    while (this.queue.length > maxQueue || this.queuedBytes > maxQueueBytes) {
      const oldest = this.queue.shift();
      if (!oldest) break;
      this.queuedBytes -= oldest.message.bytes;
      this.drop(oldest, 'queue full');
    }
    if (!this.running && this.queue.length > 0) {
      this.running = true;
      this.idle = this.run();
    }
  }

  private drop(delivery: Delivery, reason: string): void {
    this.settings.count(this, 'dropped');
    this.settings.logger.warn(
      {
        receiver: this.name,
        kind: this.kind,
        delivery: delivery.id,
        bytes: delivery.message.bytes,
        queued: this.queue.length,
        queuedBytes: this.queuedBytes,
        reason,
      },
      'notifications: queue full, dropping the oldest undelivered event',
    );
  }

  /**
   * Resolves when the queue is empty or after `ms`, whichever comes first. A retry waiting for its back-off
   * is tried at once, and so are the next ones: a shutdown has no time to wait politely.
   */
  async drain(ms: number): Promise<void> {
    this.hurry = true;
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    await Promise.race([this.idle, timeout]);
    clearTimeout(timer);
  }

  /** Cancels the delivery in flight and empties the queue; returns how many deliveries were lost. */
  abandon(): number {
    const lost = this.pending;
    this.stopped = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.abort.abort();
    return lost;
  }

  private async run(): Promise<void> {
    try {
      for (let delivery = this.queue.shift(); delivery && !this.stopped; delivery = this.queue.shift()) {
        this.queuedBytes -= delivery.message.bytes;
        this.inFlight = delivery;
        try {
          await this.deliver(delivery);
        } catch (error) {
          // Nothing in a delivery should throw; if it does, the loop must survive it for the next events.
          this.settings.logger.error({ receiver: this.name, err: error }, 'notifications: delivery crashed');
        } finally {
          this.inFlight = undefined;
        }
      }
    } finally {
      // In the same turn as the last look at the queue: an offer after this starts a new loop.
      this.running = false;
    }
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const { maxAttempts, logger } = this.settings;
    for (let attempt = 1; attempt <= maxAttempts && !this.stopped; attempt++) {
      const request = delivery.message.request(attempt);
      if (!request) return;
      const outcome = await this.attempt(request, delivery.message.delivered !== undefined);
      if (outcome.ok) {
        delivery.message.delivered?.(outcome.answer);
        this.settings.count(this, 'delivered');
        if (attempt > 1) {
          logger.info({ receiver: this.name, delivery: delivery.id, attempt }, 'notifications: delivered');
        }
        return;
      }
      // Abandoned by stop(): counted and logged there, once for all.
      if (this.stopped) return;
      const last = attempt === maxAttempts || !outcome.retry;
      const line = {
        receiver: this.name,
        kind: this.kind,
        delivery: delivery.id,
        event: delivery.message.event,
        attempt,
        reason: outcome.reason,
      };
      if (last) {
        this.settings.count(this, 'failed');
        logger.error(line, 'notifications: giving up on a delivery');
        return;
      }
      const delayMs = this.backoff(attempt, outcome.retryAfterMs);
      logger.warn({ ...line, retryInMs: delayMs }, 'notifications: delivery failed, will retry');
      await this.sleep(delayMs);
    }
  }

  /** Exponential back-off with jitter (between half and all of the doubled delay), at least Retry-After. */
  private backoff(attempt: number, retryAfterMs: number | undefined): number {
    const { baseDelayMs, maxDelayMs, random } = this.settings;
    const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    const jittered = Math.round(exponential * (0.5 + random() / 2));
    return Math.min(maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
  }

  private async attempt(
    request: OutgoingRequest,
    readAnswer: boolean,
  ): Promise<
    { ok: true; answer: string } | { ok: false; retry: boolean; reason: string; retryAfterMs?: number }
  > {
    const controller = new AbortController();
    const onStop = () => controller.abort();
    this.abort.signal.addEventListener('abort', onStop);
    const timer = setTimeout(() => controller.abort(), this.settings.timeoutMs);
    try {
      const response = await this.settings.fetch(request.url, {
        method: request.method,
        headers: { 'user-agent': USER_AGENT, ...request.headers },
        body: request.body,
        signal: controller.signal,
        // A redirected POST would turn into a GET elsewhere: the configured URL must be the final one.
        redirect: 'manual',
      });
      const ok = response.status >= 200 && response.status < 300;
      // The answer matters only to a kind that reads it; cancelling the rest frees the connection.
      const answer = ok && readAnswer ? await readLimited(response) : '';
      await response.body?.cancel().catch(() => undefined);
      if (ok) return { ok: true, answer };
      const retry = response.status >= 500 || response.status === 408 || response.status === 429;
      return {
        ok: false,
        retry,
        reason: `answered ${response.status}`,
        retryAfterMs: retryAfter(response.headers.get('retry-after')),
      };
    } catch (error) {
      const reason = controller.signal.aborted
        ? this.stopped
          ? 'cancelled by shutdown'
          : `no answer within ${this.settings.timeoutMs} ms`
        : networkReason(error).split(request.url).join(describeReceiver(request.url));
      return { ok: false, retry: true, reason };
    } finally {
      clearTimeout(timer);
      this.abort.signal.removeEventListener('abort', onStop);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.hurry || this.abort.signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.abort.signal.addEventListener('abort', done);
      this.wake = done;
    });
  }
}

/** The answer's text, up to MAX_ANSWER_BYTES: a receiver cannot make the server hold a huge answer. */
async function readLimited(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < MAX_ANSWER_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).toString('utf8');
}

/** Retry-After in seconds (dates are rare from webhook receivers and are ignored). */
function retryAfter(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}

/** fetch's "fetch failed" hides the cause (refused, DNS...), which is what an operator needs. */
function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}

/**
 * The notifier for APP_NOTIFY and APP_WEBHOOK_URLS (as `webhook` receivers, after APP_NOTIFY's), subscribed
 * to `events`; undefined (and nothing subscribed) when there is no receiver. Logs how many receivers there
 * are, of which kinds, and whether webhooks are signed, never the URLs' paths, tokens nor the secret.
 */
export function startNotifications(
  config: {
    notify: readonly NotifyReceiver[];
    webhookUrls: readonly string[];
    webhookSecret: string;
    publicUrl?: string;
    notifyQueueBytes?: number;
  },
  events: DeploymentEvents,
  logger: Logger,
  registry?: Registry,
): Notifier | undefined {
  const receivers: NotifyReceiver[] = [
    ...config.notify,
    ...config.webhookUrls.map((url) => ({ kind: 'webhook' as const, url })),
  ];
  if (receivers.length === 0) return undefined;
  const notifier = new Notifier({
    receivers,
    webhookSecret: config.webhookSecret,
    publicUrl: config.publicUrl,
    maxQueueBytes: config.notifyQueueBytes,
    logger,
    registry,
  });
  notifier.start(events);
  const webhooks = receivers.filter((receiver) => receiver.kind === 'webhook');
  logger.info(
    {
      receivers: notifier.names,
      kinds: receivers.map((receiver) => receiver.kind),
      ...(webhooks.length > 0 && {
        signed: webhooks.every((receiver) => receiver.secret ?? config.webhookSecret),
      }),
      links: config.publicUrl ?? 'off (APP_PUBLIC_URL is not set)',
    },
    'notifications: delivering every create and status change',
  );
  return notifier;
}
