// The read cache on Redis, shared by every replica. Redis only accelerates reads: when it is down or slow,
// reads go to the database after at most one short command time-out, and the cache is used again as soon
// as Redis answers, without a restart.
//
// Invalidation is a generation number: every cached value's key includes the generation current when its
// read began, and every write increments it (INCR, O(1)), so all older values become unreachable at once,
// on every replica, without scanning keys; they expire on their own TTL.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { maskPassword } from '../config.js';
import type { HealthCheck } from '../health/health.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { ReadCache } from './read-cache.js';

export interface RedisCacheOptions {
  /** `redis://[:password@]host[:port][/db]` or `rediss://...` (TLS). */
  uri: string;
  logger: Logger;
  /** Starts every key, so that several services or test runs can share one Redis database. */
  keyPrefix?: string;
  /** How long a cached value lives; bounds memory and the staleness a replica cut off from Redis can cause. */
  ttlSeconds?: number;
  /** Longest wait for one Redis command before the read goes to the database. */
  commandTimeoutMs?: number;
  /** How long Redis is left alone after a failed command before one read probes it again. */
  circuitOpenMs?: number;
  /** Larger results are not cached: one huge value would block Redis for everyone while it is copied. */
  maxValueBytes?: number;
}

const DEFAULTS = {
  keyPrefix: 'versions:',
  ttlSeconds: 60,
  commandTimeoutMs: 200,
  circuitOpenMs: 3000,
  maxValueBytes: 512 * 1024,
};
const CONNECT_TIMEOUT_MS = 1000;
const MAX_RECONNECT_DELAY_MS = 2000;

// A missing generation (first start, FLUSHDB, or evicted under an allkeys-* maxmemory policy while values
// survived) is seeded from the server's clock in microseconds, not from 0: a reset counter would count back
// up through generations whose values may still be cached.
const SEED_GENERATION = `
local function seed()
  local time = redis.call('TIME')
  redis.call('SET', KEYS[1], time[1] .. string.format('%06d', tonumber(time[2])))
end`;

/** KEYS[1] generation key, ARGV[1] value key prefix, ARGV[2] read key; returns {generation, value or nil}. */
const READ_SCRIPT = `${SEED_GENERATION}
if redis.call('EXISTS', KEYS[1]) == 0 then seed() end
local generation = redis.call('GET', KEYS[1])
return {generation, redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2]) or false}`;

/** KEYS[1] generation key; returns the new generation. */
const BUMP_SCRIPT = `${SEED_GENERATION}
if redis.call('EXISTS', KEYS[1]) == 0 then seed() end
return redis.call('INCR', KEYS[1])`;

type Lookup = { hit: true; value: unknown } | { hit: false; generation: string };

/** A ReadCache on Redis that never fails a read or a write because of Redis. */
export class RedisCache implements ReadCache {
  /** `/healthz` reports `"redis": "OK"` or `"NOT OK"` from this. */
  readonly healthCheck: HealthCheck;
  /** The address for logs, password hidden. */
  readonly address: string;

  private readonly client: Redis;
  private readonly logger: Logger;
  private readonly breaker: CircuitBreaker;
  private readonly options: typeof DEFAULTS;
  private readonly generationKey: string;
  private readonly valuePrefix: string;
  // A write whose INCR may not have reached Redis, or a connection lost (writes may have happened meanwhile
  // on replicas that could not reach Redis either), leaves cached values possibly stale: the cache is not
  // read until the generation has been bumped once since. An epoch counter so that a bump sent before the
  // latest such event cannot clear it.
  private staleEpoch = 0;
  private bumpedEpoch = 0;
  private bumping = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private available = false;
  private closed = false;

  constructor(options: RedisCacheOptions) {
    this.options = {
      keyPrefix: options.keyPrefix ?? DEFAULTS.keyPrefix,
      ttlSeconds: options.ttlSeconds ?? DEFAULTS.ttlSeconds,
      commandTimeoutMs: options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs,
      circuitOpenMs: options.circuitOpenMs ?? DEFAULTS.circuitOpenMs,
      maxValueBytes: options.maxValueBytes ?? DEFAULTS.maxValueBytes,
    };
    this.logger = options.logger;
    this.address = maskPassword(options.uri);
    this.generationKey = `${this.options.keyPrefix}generation`;
    this.valuePrefix = `${this.options.keyPrefix}read:`;
    this.breaker = new CircuitBreaker(this.options.circuitOpenMs);
    this.client = new Redis(options.uri, {
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: this.options.commandTimeoutMs,
      // Commands fail at once while disconnected instead of queueing behind a dead connection...
      enableOfflineQueue: false,
      // ...and those in flight when it drops fail too, rather than being sent again later.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      // Reconnect forever, but never more often than this back-off allows: no storm against a restarting Redis.
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), MAX_RECONNECT_DELAY_MS),
    });
    this.client.on('ready', () => this.connected());
    this.client.on('error', (error: Error) => this.unavailable(error.message));
    this.client.on('close', () => this.unavailable('connection closed'));
    this.healthCheck = { name: 'redis', check: () => this.ping(), required: false };
  }

  /** Redis answers and the cache is in use (for the metrics gauge). */
  get up(): boolean {
    return this.client.status === 'ready' && this.breaker.isClosed && !this.isStale();
  }

  async read<T>(key: string, load: () => Promise<T>): Promise<T> {
    const found = await this.lookup(key);
    if (found?.hit) return found.value as T;
    const value = await load();
    // Cached under the generation read *before* loading: if a write bumped it meanwhile, this value (maybe
    // older than the write) lands under a generation nobody reads any more.
    if (found) await this.save(found.generation, key, value);
    return value;
  }

  async invalidate(): Promise<void> {
    // Tried even while the circuit is open: a write is rare, and an INCR sent to a stalled Redis still
    // runs when it wakes up, before replicas that were waiting on it read again.
    const epoch = this.markStale();
    if (this.client.status !== 'ready') return; // bumped on reconnection
    await this.bump(epoch);
  }

  /** Resolves true once connected and usable, false after `timeoutMs` (tests and start-up logs). */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.up) {
      if (Date.now() >= deadline || this.closed) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    if (this.client.status === 'ready') {
      await Promise.race([this.client.quit(), new Promise((resolve) => setTimeout(resolve, 500))]).catch(
        () => {},
      );
    }
    this.client.disconnect();
  }

  private async lookup(key: string): Promise<Lookup | undefined> {
    if (this.client.status !== 'ready') return undefined;
    if (this.isStale()) {
      this.bumpInBackground();
      return undefined;
    }
    if (!this.breaker.allows()) return undefined;
    let reply: unknown;
    try {
      reply = await this.run(READ_SCRIPT, READ_SHA, this.generationKey, this.valuePrefix, key);
      this.breaker.succeeded();
      this.reachable();
    } catch (error) {
      this.failed(error);
      return undefined;
    }
    const [generation, payload] = Array.isArray(reply) ? (reply as unknown[]) : [];
    if (typeof generation !== 'string') return undefined;
    if (typeof payload !== 'string') return { hit: false, generation };
    try {
      return { hit: true, value: (JSON.parse(payload) as { v: unknown }).v };
    } catch {
      return { hit: false, generation };
    }
  }

  private async save(generation: string, key: string, value: unknown): Promise<void> {
    // Only with a healthy circuit: after a time-out, the rest of the reads in flight skip Redis entirely.
    if (this.client.status !== 'ready' || !this.breaker.isClosed) return;
    // Wrapped so that `undefined` (a lookup that found nothing) is cached too.
    const payload = JSON.stringify({ v: value });
    if (Buffer.byteLength(payload) > this.options.maxValueBytes) return;
    try {
      await this.client.set(
        `${this.valuePrefix}${generation}:${key}`,
        payload,
        'EX',
        this.options.ttlSeconds,
      );
    } catch (error) {
      this.failed(error);
    }
  }

  /** Increments the generation; clears the staleness of `epoch` (and older) when it worked. */
  private async bump(epoch: number): Promise<void> {
    try {
      await this.run(BUMP_SCRIPT, BUMP_SHA, this.generationKey);
      if (epoch > this.bumpedEpoch) this.bumpedEpoch = epoch;
      this.breaker.succeeded();
      this.reachable();
    } catch (error) {
      this.failed(error);
      this.retryBumpLater();
    }
  }

  private markStale(): number {
    this.staleEpoch += 1;
    return this.staleEpoch;
  }

  private isStale(): boolean {
    return this.bumpedEpoch < this.staleEpoch;
  }

  /** While connected but failing, retries the pending bump now and then, so other replicas see the write. */
  private retryBumpLater(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.isStale() && this.client.status === 'ready') this.bumpInBackground();
    }, this.options.circuitOpenMs);
    this.retryTimer.unref();
  }

  /** One background bump at a time, however many reads find the generation stale. */
  private bumpInBackground(): void {
    if (this.bumping) return;
    this.bumping = true;
    void this.bump(this.staleEpoch).finally(() => {
      this.bumping = false;
    });
  }

  private connected(): void {
    // Writes may have happened while this replica could not see Redis: start a new generation before use.
    this.markStale();
    this.breaker.reset();
    this.bumpInBackground();
  }

  private failed(error: unknown): void {
    this.breaker.failed();
    this.unavailable(error instanceof Error ? error.message : String(error));
  }

  /** Logs the transition only, not every failed command or reconnection attempt. */
  private unavailable(reason: string): void {
    if (!this.available || this.closed) return;
    this.available = false;
    this.logger.warn(
      { redis: this.address, reason },
      'redis is unavailable: reads go to the database meanwhile',
    );
  }

  private reachable(): void {
    if (this.available) return;
    this.available = true;
    this.logger.info({ redis: this.address }, 'redis connected: caching reads');
  }

  private async ping(): Promise<void> {
    if (this.client.status !== 'ready') throw new Error(`redis is ${this.client.status}`);
    await this.client.ping();
  }

  /** EVALSHA, falling back to EVAL once when Redis does not know the script yet (after a restart). */
  private async run(script: string, sha: string, key: string, ...args: string[]): Promise<unknown> {
    try {
      return await this.client.evalsha(sha, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(script, 1, key, ...args);
    }
  }
}

const READ_SHA = sha1(READ_SCRIPT);
const BUMP_SHA = sha1(BUMP_SCRIPT);

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
