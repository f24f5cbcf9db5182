import pg from 'pg';
import type { Logger } from 'pino';
import { ChangeListeners, type ChangeFeed } from './memory-cache.js';

/** The channel the triggers notify on (migration 2026-12-01-19-change-notifications). */
export const CHANGE_CHANNEL = 'versions_changes';

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5000;

/**
 * PostgreSQL: every table of the service has a statement-level trigger that calls pg_notify on commit, and
 * one connection per replica LISTENs. A notification reaches every replica a few milliseconds after the
 * commit. While that connection is down the feed is not live (the cache is bypassed), and coming back it
 * reports a change, since commits may have been missed meanwhile.
 */
export class PostgresNotifyFeed extends ChangeListeners implements ChangeFeed {
  live = false;
  private client: pg.Client | undefined;
  private closed = false;
  private retryMs = RECONNECT_MIN_MS;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly log: Logger,
  ) {
    super();
  }

  /** Connects once; a failure leaves the feed retrying in the background (the cache bypassed meanwhile). */
  async start(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      connectionTimeoutMillis: 3000,
      // A peer that vanished without a reset is noticed by TCP keep-alive rather than never.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.live = false;
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (!this.closed) {
        this.log.warn(
          { err: error?.message },
          'read cache: lost the PostgreSQL change feed, reads bypass the cache',
        );
        this.retry();
      }
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', () => this.changed());
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      lost(error as Error);
      return;
    }
    if (this.closed) {
      await client.end();
      return;
    }
    this.retryMs = RECONNECT_MIN_MS;
    // Commits may have happened while nobody listened.
    this.changed();
    this.live = true;
  }

  check(): void {}

  async close(): Promise<void> {
    this.closed = true;
    this.live = false;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private retry(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.start(), this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
  }
}
