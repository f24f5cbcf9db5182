// GET /deployments's filters on one environment as seeks (issue 13), whatever share of its rows they match:
//  - idx_versions_environment_status_date: an environment's rows of one status, newest first. A status filter
//    read one seek per status (merged when several) instead of walking the environment's history until
//    enough rows of a rare status turn up (a second at a million rows on MariaDB).
//  - idx_versions_environment_version: an environment's rows of a version, or of a version prefix (a range
//    of the index, then sorted), with their status, so that a status asked with it is checked in the index
//    too. On PostgreSQL its version is compared byte by byte (varchar_pattern_ops) so that LIKE 'text%' is
//    sought in it whatever the database's collation (a LIKE is sought in an index of the default operator
//    class only under the C collation).
// Each carries date and versions_id, so the read finds what it orders by in the index itself. On an existing
// database each index is built in one pass over the table (both together took 7-15 s at a million rows on a busy machine;
// PostgreSQL and SQLite hold writes meanwhile, MariaDB builds them online). Frozen: never edit.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  await db.schema
    .createIndex('idx_versions_environment_status_date')
    .on('versions')
    .columns(['workload', 'platform', 'environment', 'status', 'date', 'versions_id'])
    .execute();
  if (dialect === 'postgres') {
    await sql`CREATE INDEX idx_versions_environment_version ON versions
      (workload, platform, environment, version varchar_pattern_ops, status, date, versions_id)`.execute(db);
  } else {
    await db.schema
      .createIndex('idx_versions_environment_version')
      .on('versions')
      .columns(['workload', 'platform', 'environment', 'version', 'status', 'date', 'versions_id'])
      .execute();
  }
}
