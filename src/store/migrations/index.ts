import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { DialectName } from '../../config.js';
import * as originalSchema from './2020-12-01-original-schema.js';
import * as mysqlUtcDatetime from './2026-11-26-01-mysql-utc-datetime.js';
import * as statusHistory from './2026-11-26-02-status-history.js';
import * as readIndexes from './2026-11-26-03-read-indexes.js';
import * as originalNullColumns from './2026-12-01-10-original-null-columns.js';
import * as statusVarchar from './2026-12-01-10-status-varchar.js';
import * as deploymentDetails from './2026-12-01-12-deployment-details.js';
import * as auditLog from './2026-12-01-13-01-audit-log.js';
import * as detailFilterIndexes from './2026-12-01-13-02-detail-filter-indexes.js';
import * as environmentTiers from './2026-12-01-18-environment-tiers.js';
import * as changeNotifications from './2026-12-01-19-change-notifications.js';
import * as dailyCounts from './2026-12-02-15-daily-counts.js';
import * as environmentUrl from './2026-12-02-18-environment-url.js';
import * as doraRollup from './2026-12-03-01-dora-rollup.js';
import * as filterSeekIndexes from './2026-12-03-13-filter-seek-indexes.js';

type DialectMigration = { up(db: Kysely<any>, dialect: DialectName): Promise<void> };

/** Every migration; Kysely applies them in the order of their names, which never change once released. */
const MIGRATIONS: Array<[string, DialectMigration]> = [
  ['2020-12-01-original-schema', originalSchema],
  ['2026-11-26-01-mysql-utc-datetime', mysqlUtcDatetime],
  ['2026-11-26-02-status-history', statusHistory],
  ['2026-11-26-03-read-indexes', readIndexes],
  ['2026-12-01-10-original-null-columns', originalNullColumns],
  ['2026-12-01-10-status-varchar', statusVarchar],
  ['2026-12-01-12-deployment-details', deploymentDetails],
  ['2026-12-01-13-01-audit-log', auditLog],
  ['2026-12-01-13-02-detail-filter-indexes', detailFilterIndexes],
  ['2026-12-01-18-environment-tiers', environmentTiers],
  ['2026-12-01-19-change-notifications', changeNotifications],
  ['2026-12-02-15-daily-counts', dailyCounts],
  ['2026-12-02-18-environment-url', environmentUrl],
  ['2026-12-03-01-dora-rollup', doraRollup],
  ['2026-12-03-13-filter-seek-indexes', filterSeekIndexes],
];

/** The migrations, bound to the dialect they run on (DDL differs between databases). */
export function migrationProvider(dialect: DialectName): MigrationProvider {
  return {
    async getMigrations() {
      const migrations: Record<string, Migration> = {};
      for (const [name, migration] of MIGRATIONS) {
        migrations[name] = { up: (db) => migration.up(db, dialect) };
      }
      return migrations;
    },
  };
}
