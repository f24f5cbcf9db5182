// SQLite's change feed (src/cache/sqlite-change-feed.ts) against another connection writing to the same file:
// a commit made before a read's event-loop turn is always seen; the reads of one turn share one check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteDataVersionFeed } from '../../src/cache/sqlite-change-feed.js';

describe('the SQLite data_version feed', () => {
  let dir: string;
  let writer: SQLite.Database;
  let feed: SqliteDataVersionFeed;
  let changes: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'versions-feed-'));
    writer = new SQLite(join(dir, 'file.sqlite'));
    writer.pragma('journal_mode = WAL');
    writer.exec('CREATE TABLE t (x INTEGER)');
    feed = new SqliteDataVersionFeed(join(dir, 'file.sqlite'));
    changes = 0;
    feed.onChange(() => {
      changes += 1;
    });
  });
  afterEach(async () => {
    await feed.close();
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const commit = () => writer.prepare('INSERT INTO t (x) VALUES (1)').run();

  it('sees a commit made before the turn of the read', async () => {
    await nextTurn();
    feed.check();
    expect(changes).toBe(0);
    commit();
    await nextTurn();
    feed.check();
    expect(changes).toBe(1);
    commit();
    commit();
    await nextTurn();
    feed.check();
    feed.check();
    expect(changes).toBe(2);
  });

  it('asks SQLite once per turn: a commit during the turn is seen at the next one', async () => {
    await nextTurn();
    feed.check();
    commit();
    // Reads of this turn were handed to the server before that commit was: they may not see it.
    feed.check();
    expect(changes).toBe(0);
    await nextTurn();
    feed.check();
    expect(changes).toBe(1);
  });
});
