// Deployments counted per UTC day, workload/platform/environment and current status, for /stats/latest
// (issue 15): the service keeps the table in the transaction of every create, status change
// and delete; this migration counts the rows already there. Frozen: never edit.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const suffix =
    dialect === 'mysql' ? sql` ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin` : sql``;
  // The day first: /stats/latest reads a range of days, in this order.
  await sql`CREATE TABLE versions_daily_counts (
    day VARCHAR(10) NOT NULL,
    workload VARCHAR(100) NOT NULL,
    platform VARCHAR(100) NOT NULL,
    environment VARCHAR(100) NOT NULL,
    status VARCHAR(255) NOT NULL,
    deployments BIGINT NOT NULL,
    PRIMARY KEY (day, workload, platform, environment, status)
  )${suffix}`.execute(db);
  // The UTC day as each database wrote it for /stats/latest until now (dates are stored in UTC).
  const day = {
    sqlite: sql`substr(date, 1, 10)`,
    postgres: sql`to_char(date, 'YYYY-MM-DD')`,
    mysql: sql`date_format(date, '%Y-%m-%d')`,
  }[dialect];
  await sql`INSERT INTO versions_daily_counts (day, workload, platform, environment, status, deployments)
    SELECT ${day}, workload, platform, environment, status, COUNT(*) FROM versions
    GROUP BY ${day}, workload, platform, environment, status`.execute(db);
  // Like every table of the service, it tells the replicas' read caches of a change (change-notifications).
  if (dialect === 'postgres') {
    await sql`
      CREATE TRIGGER versions_daily_counts_notify_change
      AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON versions_daily_counts
      FOR EACH STATEMENT EXECUTE FUNCTION versions_notify_change()`.execute(db);
  }
}
