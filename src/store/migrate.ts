import { Migrator } from 'kysely';
import type { Logger } from 'pino';
import type { StoreDialect } from './dialects/index.js';
import { migrationProvider } from './migrations/index.js';

/**
 * Brings the schema up to date. Kysely's migrator holds a database lock meanwhile (an advisory lock on
 * PostgreSQL, GET_LOCK on MySQL), so replicas starting together apply each migration once.
 */
export async function migrateToLatest(dialect: StoreDialect, log: Logger): Promise<void> {
  const migrator = new Migrator({
    db: dialect.db,
    provider: migrationProvider(dialect.name),
    migrationTableName: 'versions_migrations',
    migrationLockTableName: 'versions_migrations_lock',
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  for (const result of results) {
    const entry = { migration: result.migrationName, status: result.status };
    if (result.status === 'Error') log.error(entry, 'migration failed');
    else if (result.status === 'Success') log.info(entry, 'migration applied');
  }
  if (error) throw error;
}
