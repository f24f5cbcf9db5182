// SQLite transactions that read before they write take the write lock first, so another process writing
// between their read and their write makes them wait instead of failing "busy" (a 503 under two replicas).
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { StoreDatabase } from '../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

describe('SQLite transactions beside another process', () => {
  let database: TestDatabase;
  let store: StoreDatabase;
  let other: SQLite.Database;

  beforeEach(async () => {
    database = await createTestDatabase('sqlite');
    store = await StoreDatabase.open(database.config, createLogger('silent'), 5);
    if (database.config.dialect !== 'sqlite') throw new Error('expected an SQLite database');
    // Another replica's connection, which does not wait for locks: what it can do shows which lock is held.
    other = new SQLite(database.config.file);
    other.pragma('busy_timeout = 0');
  });
  afterEach(async () => {
    other?.close();
    await store?.close();
    await database?.drop();
  });

  const otherWrites = () =>
    other
      .prepare(`INSERT INTO versions_environment_tiers (platform, environment, tier) VALUES ('p', 'e', 't')`)
      .run();

  it('holds the write lock from BEGIN, so a write in between waits instead of failing the transaction', async () => {
    let otherError: unknown;
    await store.transaction(async (trx) => {
      await sql`SELECT COUNT(*) AS n FROM versions`.execute(trx);
      try {
        otherWrites();
      } catch (error) {
        otherError = error;
      }
      // A DEFERRED transaction would fail here with SQLITE_BUSY_SNAPSHOT: its snapshot predates the other write.
      await sql`INSERT INTO versions_environment_tiers (platform, environment, tier) VALUES ('p2', 'e', 't')`.execute(
        trx,
      );
    });
    expect((otherError as { code?: string } | undefined)?.code).toBe('SQLITE_BUSY');
    const rows = other.prepare('SELECT platform FROM versions_environment_tiers ORDER BY platform').all();
    expect(rows).toEqual([{ platform: 'p2' }]);
  });

  it('lets another process write while a read-only transaction holds its snapshot', async () => {
    const counts = await store.db
      .transaction()
      .setAccessMode('read only')
      .execute(async (trx) => {
        const before = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM versions_environment_tiers`.execute(
          trx,
        );
        otherWrites();
        const after = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM versions_environment_tiers`.execute(
          trx,
        );
        return [before.rows[0]?.n, after.rows[0]?.n];
      });
    // One snapshot for the whole transaction: the other process's row is not seen inside it.
    expect(counts).toEqual([0, 0]);
    expect(other.prepare('SELECT COUNT(*) AS n FROM versions_environment_tiers').get()).toEqual({ n: 1 });
  });
});
