import { Migrator, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DialectName } from '../config.js';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';

/** Kysely's bookkeeping of the migrations applied, and its lock: tables of the migrator, not of the service. */
export const MIGRATION_TABLE = 'versions_migrations';
export const MIGRATION_LOCK_TABLE = 'versions_migrations_lock';

/**
 * Brings the schema up to date. Kysely's migrator holds a database lock meanwhile (an advisory lock on
 * PostgreSQL, GET_LOCK on MySQL), so replicas starting together apply each migration once.
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  dialect: DialectName,
  log: Logger,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider(dialect),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  for (const result of results) {
    const entry = { migration: result.migrationName, status: result.status };
    if (result.status === 'Error') log.error(entry, 'migration failed');
    else if (result.status === 'Success') log.info(entry, 'migration applied');
  }
  if (error) throw error;
}
