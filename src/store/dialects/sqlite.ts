import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from '../schema.js';
import { errorCode, type StoreDialect } from './dialect.js';

/** Embedded SQLite in WAL mode: dates are stored as ISO 8601 text in UTC, which sorts like time. */
export function openSqlite(file: string): StoreDialect {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const connection = new SQLite(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  // Another process (a second replica, a backup) may hold the write lock for a moment.
  connection.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  return {
    name: 'sqlite',
    healthName: 'sqlite',
    db,
    supportsReturning: true,
    toDbDate: (date) => date.toISOString(),
    utcDay: (column) => sql<string>`substr(${sql.ref(column)}, 1, 10)`,
    async incrementEnvironment(trx, key) {
      await trx
        .insertInto('versions_environments')
        .values({ ...key, deployments: 1 })
        .onConflict((conflict) =>
          conflict
            .columns(['workload', 'platform', 'environment'])
            .doUpdateSet({ deployments: sql`versions_environments.deployments + 1` }),
        )
        .execute();
    },
    isUnavailable(error) {
      const code = errorCode(error) ?? '';
      return /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY)/.test(code);
    },
    isRetryable: (error) => /^SQLITE_(BUSY|LOCKED)/.test(errorCode(error) ?? ''),
    poolStats: () => ({ inUse: 0, idle: 1 }),
    close: () => db.destroy(),
  };
}
