// Indexes that serve "newest in this environment/platform" and "page N" without a scan, and the
// environments table: one row per workload/platform/environment with its count of deployments, kept by
// every create, for the menu and pagination totals. The original's single-column indexes stay.
// Frozen: never edit.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const suffix =
    dialect === 'mysql' ? sql` ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin` : sql``;
  await sql`CREATE TABLE versions_environments (
    workload VARCHAR(100) NOT NULL,
    platform VARCHAR(100) NOT NULL,
    environment VARCHAR(100) NOT NULL,
    deployments BIGINT NOT NULL,
    PRIMARY KEY (workload, platform, environment)
  )${suffix}`.execute(db);
  await sql`INSERT INTO versions_environments (workload, platform, environment, deployments)
    SELECT workload, platform, environment, COUNT(*) FROM versions
    GROUP BY workload, platform, environment`.execute(db);

  await db.schema
    .createIndex('idx_versions_environment_date')
    .on('versions')
    .columns(['workload', 'platform', 'environment', 'date', 'versions_id'])
    .execute();
  await db.schema
    .createIndex('idx_versions_platform_date')
    .on('versions')
    .columns(['workload', 'platform', 'date', 'versions_id'])
    .execute();
  await db.schema.createIndex('idx_versions_date').on('versions').columns(['date', 'versions_id']).execute();
}
