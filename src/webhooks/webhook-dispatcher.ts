// Delivers every local write to the receivers of APP_WEBHOOK_URLS, signed with APP_WEBHOOK_SECRET.
// Each receiver has its own bounded queue and one delivery in flight at a time, so events reach it in
// order and a dead or slow receiver only ever delays (then drops) its own deliveries, never the writes
// nor the other receivers.
import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DeploymentEvent, DeploymentEvents } from '../events/deployment-events.js';

export interface WebhookOptions {
  urls: readonly string[];
  /** HMAC-SHA256 key; deliveries are unsigned (and a warning is logged) when empty. */
  secret: string;
  logger: Logger;
  /** Per attempt, from sending the request to the end of the answer's headers. */
  timeoutMs?: number;
  /** Attempts per delivery, the first included. */
  maxAttempts?: number;
  /** Back-off before the second attempt; doubles each time, with jitter, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Deliveries waiting per receiver; beyond it the oldest is dropped. */
  maxQueue?: number;
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** 0 ≤ random() < 1, for the jitter; injected in tests. */
  random?: () => number;
}

/** The body every receiver gets, as the contract fixes it. */
export interface WebhookPayload {
  event: DeploymentEvent['event'];
  deployment: DeploymentEvent['deployment'];
}

interface Delivery {
  id: string;
  event: DeploymentEvent['event'];
  body: string;
  signature: string | undefined;
}

const DEFAULTS = { timeoutMs: 5000, maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 60_000, maxQueue: 1000 };
const USER_AGENT = 'versions-webhooks/2';

/** `sha256=<hex>`: the HMAC-SHA256 of the exact body bytes, as sent in X-Versions-Signature. */
export function signPayload(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * A receiver's address as logs may show it: scheme, host and port only. Webhook URLs often carry a secret
 * in their path or query (chat services' incoming webhooks do), so the rest never reaches a log line.
 */
export function describeReceiver(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

/** The publisher of webhooks: start() subscribes to the event bus, stop() unsubscribes and flushes briefly. */
export class WebhookDispatcher {
  private readonly receivers: Receiver[];
  private readonly secret: string;
  private readonly logger: Logger;
  private unsubscribe: (() => void) | undefined;

  constructor(options: WebhookOptions) {
    const settings = {
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts),
      baseDelayMs: options.baseDelayMs ?? DEFAULTS.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULTS.maxDelayMs,
      maxQueue: Math.max(1, options.maxQueue ?? DEFAULTS.maxQueue),
      fetch: options.fetch ?? globalThis.fetch,
      random: options.random ?? Math.random,
      logger: options.logger,
    };
    this.secret = options.secret;
    this.logger = options.logger;
    this.receivers = options.urls.map((url, index) => new Receiver(url, index + 1, settings));
  }

  /** Delivers every later local event; events relayed from other replicas were delivered by their origin. */
  start(events: DeploymentEvents): void {
    if (this.receivers.length === 0 || this.unsubscribe) return;
    if (!this.secret) {
      this.logger.warn(
        'APP_WEBHOOK_SECRET is not set: webhooks are sent unsigned, receivers cannot verify them',
      );
    }
    this.unsubscribe = events.subscribe((event) => {
      if (event.origin === 'local') this.enqueue(event);
    });
  }

  /** Queues `event` for every receiver and returns at once; the caller never waits for a delivery. */
  enqueue(event: DeploymentEvent): void {
    const payload: WebhookPayload = { event: event.event, deployment: event.deployment };
    const body = JSON.stringify(payload);
    const delivery: Delivery = {
      id: randomUUID(),
      event: event.event,
      body,
      signature: this.secret ? signPayload(body, this.secret) : undefined,
    };
    for (const receiver of this.receivers) receiver.push(delivery);
  }

  /** How many deliveries are queued or in flight, over every receiver. */
  get pending(): number {
    return this.receivers.reduce((sum, receiver) => sum + receiver.pending, 0);
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
    if (lost > 0)
      this.logger.warn({ lost }, 'webhooks: shutting down with undelivered events; they are dropped');
  }
}

type Settings = Required<Omit<WebhookOptions, 'urls' | 'secret'>>;

/** One receiver: its queue, and the loop that delivers the queue in order. */
class Receiver {
  private readonly queue: Delivery[] = [];
  private running = false;
  private stopped = false;
  private inFlight = 0;
  /** Aborted by abandon(): cancels the request in flight and any back-off sleep. */
  private readonly abort = new AbortController();
  /** Set by drain(): retries no longer wait. */
  private hurry = false;
  /** Ends the back-off sleep under way, if any. */
  private wake: (() => void) | undefined;
  private idle: Promise<void> = Promise.resolve();
  private readonly target: string;

  constructor(
    private readonly url: string,
    index: number,
    private readonly settings: Settings,
  ) {
    this.target = `#${index} ${describeReceiver(url)}`;
  }

  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  push(delivery: Delivery): void {
    if (this.stopped) return;
    if (this.queue.length >= this.settings.maxQueue) {
      const dropped = this.queue.shift();
      this.settings.logger.warn(
        { webhook: this.target, delivery: dropped?.id, queued: this.queue.length },
        'webhooks: queue full, dropping the oldest undelivered event',
      );
    }
    this.queue.push(delivery);
    if (!this.running) {
      this.running = true;
      this.idle = this.run();
    }
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
    this.abort.abort();
    return lost;
  }

  private async run(): Promise<void> {
    try {
      for (let delivery = this.queue.shift(); delivery && !this.stopped; delivery = this.queue.shift()) {
        this.inFlight = 1;
        try {
          await this.deliver(delivery);
        } catch (error) {
          // Nothing in a delivery should throw; if it does, the loop must survive it for the next events.
          this.settings.logger.error({ webhook: this.target, err: error }, 'webhooks: delivery crashed');
        } finally {
          this.inFlight = 0;
        }
      }
    } finally {
      // In the same turn as the last look at the queue: a push after this starts a new loop.
      this.running = false;
    }
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const { maxAttempts } = this.settings;
    for (let attempt = 1; attempt <= maxAttempts && !this.stopped; attempt++) {
      const outcome = await this.attempt(delivery, attempt);
      if (outcome.ok) {
        if (attempt > 1) {
          this.settings.logger.info(
            { webhook: this.target, delivery: delivery.id, attempt },
            'webhooks: delivered',
          );
        }
        return;
      }
      // Abandoned by stop(): counted and logged there, once for all.
      if (this.stopped) return;
      const last = attempt === maxAttempts || !outcome.retry;
      const line = {
        webhook: this.target,
        delivery: delivery.id,
        event: delivery.event,
        attempt,
        reason: outcome.reason,
      };
      if (last) {
        this.settings.logger.error(line, 'webhooks: giving up on a delivery');
        return;
      }
      const delayMs = this.backoff(attempt, outcome.retryAfterMs);
      this.settings.logger.warn({ ...line, retryInMs: delayMs }, 'webhooks: delivery failed, will retry');
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
    delivery: Delivery,
    attempt: number,
  ): Promise<{ ok: true } | { ok: false; retry: boolean; reason: string; retryAfterMs?: number }> {
    const controller = new AbortController();
    const onStop = () => controller.abort();
    this.abort.signal.addEventListener('abort', onStop);
    const timer = setTimeout(() => controller.abort(), this.settings.timeoutMs);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'x-versions-event': delivery.event,
      // The same id on every attempt, so that a receiver can ignore a retry of what it already has.
      'x-versions-delivery': delivery.id,
      'x-versions-attempt': String(attempt),
      'x-versions-timestamp': String(Math.floor(Date.now() / 1000)),
    };
    if (delivery.signature) headers['x-versions-signature'] = delivery.signature;
    try {
      const response = await this.settings.fetch(this.url, {
        method: 'POST',
        headers,
        body: delivery.body,
        signal: controller.signal,
        // A redirected POST would turn into a GET elsewhere: the configured URL must be the final one.
        redirect: 'manual',
      });
      // The answer's body is of no use; cancelling it frees the connection.
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { ok: true };
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
        : networkReason(error).split(this.url).join(describeReceiver(this.url));
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
 * The dispatcher for APP_WEBHOOK_URLS, subscribed to `events`; undefined (and nothing subscribed) when no
 * URL is configured. Logs how many receivers there are and whether deliveries are signed, never the URLs'
 * paths nor the secret.
 */
export function startWebhooks(
  config: { webhookUrls: readonly string[]; webhookSecret: string },
  events: DeploymentEvents,
  logger: Logger,
): WebhookDispatcher | undefined {
  if (config.webhookUrls.length === 0) return undefined;
  const dispatcher = new WebhookDispatcher({
    urls: config.webhookUrls,
    secret: config.webhookSecret,
    logger,
  });
  dispatcher.start(events);
  logger.info(
    {
      receivers: config.webhookUrls.map((url, index) => `#${index + 1} ${describeReceiver(url)}`),
      signed: config.webhookSecret !== '',
    },
    'webhooks: delivering every create and status change',
  );
  return dispatcher;
}
