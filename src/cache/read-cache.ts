/** A cache of read results, shared by every replica when backed by Redis. */
export interface ReadCache {
  /** The cached value of `key`, or the result of `load` (then cached). Never fails because of the cache. */
  read<T>(key: string, load: () => Promise<T>): Promise<T>;
  /** Makes every cached value stale; awaited by writes so that the next read anywhere is fresh. */
  invalidate(): Promise<void>;
}

/** No cache: every read goes to the database. */
export const noCache: ReadCache = {
  read: (_key, load) => load(),
  invalidate: async () => undefined,
};
