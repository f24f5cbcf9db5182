// The in-process read cache's rules, with a feed driven by hand: what is kept, when it goes stale.
import { describe, expect, it } from 'vitest';
import { ChangeListeners, MemoryCache, type ChangeFeed } from '../../src/cache/memory-cache.js';

class ManualFeed extends ChangeListeners implements ChangeFeed {
  live = true;
  checks = 0;
  check(): void {
    this.checks += 1;
  }
  change(): void {
    this.changed();
  }
  async close(): Promise<void> {}
}

function counter() {
  let loads = 0;
  return {
    load: async () => ++loads,
    get loads() {
      return loads;
    },
  };
}

describe('MemoryCache', () => {
  it('answers a second read from memory, after asking the feed', async () => {
    const feed = new ManualFeed();
    const cache = new MemoryCache({ feed });
    const source = counter();
    expect(await cache.read('a', source.load)).toBe(1);
    expect(await cache.read('a', source.load)).toBe(1);
    expect(source.loads).toBe(1);
    expect(feed.checks).toBe(2);
  });

  it('forgets everything on a change from the feed and on a write of its own', async () => {
    const feed = new ManualFeed();
    const cache = new MemoryCache({ feed });
    const source = counter();
    await cache.read('a', source.load);
    feed.change();
    expect(await cache.read('a', source.load)).toBe(2);
    await cache.invalidate();
    expect(await cache.read('a', source.load)).toBe(3);
  });

  it('does not keep a value whose read raced a change', async () => {
    const feed = new ManualFeed();
    const cache = new MemoryCache({ feed });
    let release!: () => void;
    const slow = cache.read('a', () => new Promise<string>((resolve) => (release = () => resolve('old'))));
    feed.change();
    release();
    expect(await slow).toBe('old');
    expect(await cache.read('a', async () => 'new')).toBe('new');
    expect(cache.size).toBe(1);
  });

  it('bypasses itself while the feed is not live', async () => {
    const feed = new ManualFeed();
    feed.live = false;
    const cache = new MemoryCache({ feed });
    const source = counter();
    await cache.read('a', source.load);
    await cache.read('a', source.load);
    expect(source.loads).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries, dropping the least recently read', async () => {
    const cache = new MemoryCache({ feed: new ManualFeed(), maxEntries: 2 });
    await cache.read('a', async () => 'a');
    await cache.read('b', async () => 'b');
    await cache.read('a', async () => 'a again');
    await cache.read('c', async () => 'c');
    expect(cache.size).toBe(2);
    expect(await cache.read('a', async () => 'reloaded')).toBe('a');
    expect(await cache.read('b', async () => 'reloaded')).toBe('reloaded');
  });
});
