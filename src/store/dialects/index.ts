import type { Logger } from 'pino';
import type { DatabaseConfig } from '../../config.js';
import type { StoreDialect } from './dialect.js';
import { openMysql } from './mysql.js';
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';

export type { StoreDialect, VersionsIndex } from './dialect.js';
export { environmentCountUpsert, parseUtcDate, versionsTable } from './dialect.js';

/** Opens the pool (or file) of the configured database; nothing is queried yet. */
export function openDialect(config: DatabaseConfig, log: Logger): StoreDialect {
  switch (config.dialect) {
    case 'sqlite':
      return openSqlite(config.file);
    case 'postgres':
      return openPostgres(config.connectionString, log);
    case 'mysql':
      return openMysql(config.mysql, log);
  }
}
