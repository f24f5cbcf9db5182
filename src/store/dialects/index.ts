import type { Logger } from 'pino';
import type { DatabaseConfig } from '../../config.js';
import type { StoreConnection, StoreDialect } from './dialect.js';

export type {
  DailyCountKey,
  ErrorClassifier,
  PoolStats,
  SqlFragments,
  StoreConnection,
  StoreDialect,
  VersionsIndex,
} from './dialect.js';
export { parseUtcDate, versionsTable } from './dialect.js';

/**
 * Opens the pool (or file) of the configured database, with its dialect; nothing is queried yet. Only that
 * database's module (and driver) is loaded: the two others would cost the process memory for nothing
 * (bench/README.md).
 */
export async function openDialect(
  config: DatabaseConfig,
  log: Logger,
): Promise<{ dialect: StoreDialect; connection: StoreConnection }> {
  switch (config.dialect) {
    case 'sqlite': {
      const { sqliteDialect, openSqlite } = await import('./sqlite.js');
      return { dialect: sqliteDialect, connection: openSqlite(config.file) };
    }
    case 'postgres': {
      const { postgresDialect, openPostgres } = await import('./postgres.js');
      return { dialect: postgresDialect, connection: openPostgres(config.connectionString, log) };
    }
    case 'mysql': {
      const { mysqlDialect, openMysql } = await import('./mysql.js');
      return { dialect: mysqlDialect, connection: openMysql(config.mysql, log) };
    }
  }
}
