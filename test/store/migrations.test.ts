// The schema from an empty database on every dialect, and replicas starting together.
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { StoreDatabase } from '../../src/store/database.js';
import { createTestDatabase, databaseEnv, DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { startServerProcesses } from '../helpers/server-process.js';

const silent = createLogger('silent');

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  it('creates every table and index from an empty database, once, even with three replicas at once', async () => {
    const database = await createTestDatabase(dialect);
    databases.push(database);
    // Real processes, as replicas are: SQLite's lock waits block a whole process.
    const replicas = await startServerProcesses(3, databaseEnv(database.config));
    const applied = replicas.flatMap((replica) =>
      replica.logs.filter((line) => line.includes('migration applied')),
    );
    for (const replica of replicas) await replica.stop();
    const every = Object.keys(await migrationProvider(dialect).getMigrations()).sort();
    expect(applied).toHaveLength(every.length);
    const store = await StoreDatabase.open(database.config, silent, 5);
    try {
      const db = store.db;
      const tables = (await db.introspection.getTables()).map((table) => table.name).sort();
      expect(tables).toEqual(
        expect.arrayContaining([
          'schema_migrations',
          'versions',
          'versions_environments',
          'versions_migrations',
          'versions_status_history',
        ]),
      );
      const applied = await sql<{ name: string }>`SELECT name FROM versions_migrations ORDER BY name`.execute(
        db,
      );
      // Every migration once, in the order of its name (which is the order they are applied in).
      expect(applied.rows.map((row) => row.name)).toEqual(every);
      expect(every.slice(0, 4)).toEqual([
        '2020-12-01-original-schema',
        '2026-11-26-01-mysql-utc-datetime',
        '2026-11-26-02-status-history',
        '2026-11-26-03-read-indexes',
      ]);
      const bookkeeping = await sql<{ version: number }>`SELECT version FROM schema_migrations`.execute(db);
      expect(bookkeeping.rows.map((row) => Number(row.version))).toEqual([3]);
    } finally {
      await store.close();
    }
    // Three server processes starting at once: seconds each on a busy 2-core machine.
  }, 90_000);

  it('is a no-op on a database that is already up to date', async () => {
    const database = await createTestDatabase(dialect);
    databases.push(database);
    await (await StoreDatabase.open(database.config, silent, 5)).close();
    const again = await StoreDatabase.open(database.config, silent, 5);
    await again.close();
  });
});
