// The read cache inside the process, for installations without Redis. It stays exact because a change feed
// (change-feeds.ts) tells it when anything was committed to the database, by this replica or any other:
// every write, wherever it came from, makes every cached value stale at once.
//
// Invalidation is a generation number, as in the Redis cache: a value is kept with the generation current
// when its read began, and only a read in that same generation may use it. A read that raced a write stores a
// value of the old generation, which no later read takes.
import type { ReadCache } from './read-cache.js';

/** Tells the cache that the database changed. */
export interface ChangeFeed {
  /** False while the feed cannot vouch for freshness (connection to the database lost): nothing is cached. */
  readonly live: boolean;
  /** Called before every read: a feed that polls (SQLite's data_version) checks here, synchronously. */
  check(): void;
  /** `listener` runs after every change seen. */
  onChange(listener: () => void): void;
  close(): Promise<void>;
}

/** The listener list every feed keeps. */
export abstract class ChangeListeners {
  private readonly listeners: Array<() => void> = [];
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }
  protected changed(): void {
    for (const listener of this.listeners) listener();
  }
}

export interface MemoryCacheOptions {
  feed: ChangeFeed;
  /** Most values kept; the least recently read goes first. */
  maxEntries?: number;
}

interface Entry {
  generation: number;
  value: unknown;
}

/** A ReadCache in this process's memory, exact while its change feed is live. */
export class MemoryCache implements ReadCache {
  private generation = 0;
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently read first.
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly feed: ChangeFeed;

  constructor(options: MemoryCacheOptions) {
    this.feed = options.feed;
    this.maxEntries = options.maxEntries ?? 1000;
    this.feed.onChange(() => this.bump());
  }

  async read<T>(key: string, load: () => Promise<T>): Promise<T> {
    this.feed.check();
    if (!this.feed.live) return load();
    const generation = this.generation;
    const entry = this.entries.get(key);
    if (entry && entry.generation === generation) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry.value as T;
    }
    const value = await load();
    if (this.generation === generation) {
      this.entries.delete(key);
      this.entries.set(key, { generation, value });
      if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    return value;
  }

  /** A write of this replica: the next read here is fresh at once, without waiting for the feed. */
  async invalidate(): Promise<void> {
    this.bump();
  }

  /** How many values are kept (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  close(): Promise<void> {
    return this.feed.close();
  }

  private bump(): void {
    this.generation += 1;
    this.entries.clear();
  }
}
