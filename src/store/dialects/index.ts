import type { Logger } from 'pino';
import type { DatabaseConfig } from '../../config.js';
import type { StoreDialect } from './dialect.js';

export type { DailyCountKey, StoreDialect, VersionsIndex } from './dialect.js';
export { parseUtcDate, versionsTable } from './dialect.js';

/**
 * Opens the pool (or file) of the configured database; nothing is queried yet. Only that database's module
 * (and driver) is loaded: the two others would cost the process memory for nothing (bench/README.md).
 */
export async function openDialect(config: DatabaseConfig, log: Logger): Promise<StoreDialect> {
  switch (config.dialect) {
    case 'sqlite':
      return (await import('./sqlite.js')).openSqlite(config.file);
    case 'postgres':
      return (await import('./postgres.js')).openPostgres(config.connectionString, log);
    case 'mysql':
      return (await import('./mysql.js')).openMysql(config.mysql, log);
  }
}
