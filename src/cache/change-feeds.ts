// Change feeds for the in-process read cache (memory-cache.ts): how one replica learns that the database
// changed, whoever changed it (this replica, another one, the Go original, someone with psql). Only the
// configured database's driver is loaded, as for the store.
import type { Logger } from 'pino';
import type { DatabaseConfig } from '../config.js';
import type { ChangeFeed } from './memory-cache.js';

/** The feed for that database, or none where the database cannot tell (MySQL/MariaDB has no notifications). */
export async function openChangeFeed(database: DatabaseConfig, log: Logger): Promise<ChangeFeed | undefined> {
  switch (database.dialect) {
    case 'sqlite': {
      if (database.file === ':memory:') return undefined;
      const { SqliteDataVersionFeed } = await import('./sqlite-change-feed.js');
      return new SqliteDataVersionFeed(database.file);
    }
    case 'postgres': {
      const { PostgresNotifyFeed } = await import('./postgres-change-feed.js');
      const feed = new PostgresNotifyFeed(database.connectionString, log);
      await feed.start();
      return feed;
    }
    case 'mysql':
      return undefined;
  }
}
