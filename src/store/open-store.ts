import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { describeDatabase, type DatabaseConfig } from '../config.js';
import { openDialect, type StoreDialect } from './dialects/index.js';
import { migrateToLatest } from './migrate.js';

const MIGRATION_ATTEMPTS = 8;

export class DatabaseStartError extends Error {}

/**
 * Connects to the database, waiting with back-off (a log line per try) for up to `waitSeconds` while it
 * does not answer yet, then migrates the schema. The caller owns the returned dialect and closes it.
 */
export async function openStore(
  config: DatabaseConfig,
  log: Logger,
  waitSeconds: number,
): Promise<StoreDialect> {
  const dialect = await openDialect(config, log);
  const address = describeDatabase(config);
  const deadline = Date.now() + waitSeconds * 1000;
  for (let attempt = 1, delay = 500; ; attempt++, delay = Math.min(delay * 2, 5000)) {
    try {
      await sql`SELECT 1`.execute(dialect.db);
      break;
    } catch (error) {
      const reason = error instanceof Error ? error.message || String(error) : String(error);
      if (Date.now() + delay > deadline) {
        await dialect.close().catch(() => undefined);
        throw new DatabaseStartError(
          `cannot reach the database at ${address} after ${attempt} tries (${reason}); check DB_URI and that the server is running`,
        );
      }
      log.warn(
        { database: address, attempt, retryInMs: delay, err: reason },
        'database not reachable yet, retrying',
      );
      await sleep(delay);
    }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await migrateToLatest(dialect, log);
      return dialect;
    } catch (error) {
      // Another replica migrating the same SQLite file can make SQLite answer "busy" at once (it refuses to
      // wait when waiting could deadlock); the migration rolled back, so it is simply run again.
      if (attempt < MIGRATION_ATTEMPTS && dialect.isRetryable(error)) {
        log.warn({ attempt, err: (error as Error).message }, 'database busy while migrating, retrying');
        await sleep(250 * attempt);
        continue;
      }
      await dialect.close().catch(() => undefined);
      throw new DatabaseStartError(
        `migrating the database at ${address} failed: ${(error as Error).message}`,
      );
    }
  }
}
