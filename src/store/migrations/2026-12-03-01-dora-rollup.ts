// The DORA rollup (issue 15): per UTC day and month, the deployments created in it by current status and the
// log-scale histograms of their deployment durations and restore times (src/store/dora-rollup.ts keeps it in
// every write's transaction; src/insights/histogram.ts defines the bins). This migration computes it for the
// rows already there: one environment at a time, its deployments read in order (date, then id) in pages of
// ROWS_PER_READ with the first entries of their history, each page counted and let go. Memory holds a page
// and the counts (a few per day), not the table. Measured on 2 December 2026 (the bench's SQLite data at
// 200,000 deployments, /usr/bin/time -v): the process peaked at 237-243 MB when this migration held every
// deployment at once, at 152-155 MB paged (the same with pages of 1,000), and at 117 MB without running it.
//
// It counts with dora-rollup.ts's pure functions (toRolled, countingFacts, rollupChange, histogram.ts's binOf
// behind them) and the statuses they count as successful and failed, so that the rollup it fills is the one
// the writes keep. A migration is frozen: if what one of them computes ever changes (the change then comes
// with a migration of its own), this one must first get a frozen copy of them as they are now.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';
import { SUCCESSFUL_STATUSES } from '../../deployments/deployment.js';
import { FAILED_STATUS } from '../../insights/insights.js';
import { countingFacts, rollupChange, toRolled, type Facts, type RolledRow } from '../dora-rollup.js';

const ROWS_PER_READ = 10_000;
const ROWS_PER_INSERT = 500;

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const suffix =
    dialect === 'mysql' ? sql` ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin` : sql``;
  await sql`CREATE TABLE versions_dora_rollup (
    period VARCHAR(10) NOT NULL,
    measure SMALLINT NOT NULL,
    bin INTEGER NOT NULL,
    deployments BIGINT NOT NULL,
    PRIMARY KEY (period, measure, bin)
  )${suffix}`.execute(db);
  await rollUpDeployments(db);
  // Like every table of the service, it tells the replicas' read caches of a change (change-notifications).
  if (dialect === 'postgres') {
    await sql`
      CREATE TRIGGER versions_dora_rollup_notify_change
      AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON versions_dora_rollup
      FOR EACH STATEMENT EXECUTE FUNCTION versions_notify_change()`.execute(db);
  }
}

/**
 * Fills the empty rollup from the deployments there (the bench calls it after its bulk load too), reading
 * `rowsPerRead` deployments at a time.
 */
export async function rollUpDeployments(db: Kysely<any>, rowsPerRead = ROWS_PER_READ): Promise<void> {
  const environments = await sql<{ workload: string; platform: string; environment: string }>`
    SELECT DISTINCT workload, platform, environment FROM versions`.execute(db);
  const facts: Facts = new Map();
  for (const environment of environments.rows) {
    const count = countingFacts(facts);
    let last: RolledRow | undefined;
    do {
      const page = await readPage(db, environment, last, rowsPerRead);
      for (const row of page) count(toRolled(row));
      last = page.length === rowsPerRead ? page.at(-1) : undefined;
    } while (last);
  }
  const rows = rollupChange(new Map(), facts);
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    await db
      .insertInto('versions_dora_rollup')
      .values(rows.slice(start, start + ROWS_PER_INSERT))
      .execute();
  }
}

/**
 * Up to `limit` deployments of one environment after `after` (by date, then id; from its first without), in
 * that order, with the first entries of their history. The bare date range is what the environment's index
 * (idx_versions_environment_date) is sought by; the OR then settles the rows of that instant.
 */
async function readPage(
  db: Kysely<any>,
  environment: { workload: string; platform: string; environment: string },
  after: RolledRow | undefined,
  limit: number,
): Promise<RolledRow[]> {
  const successful = sql.join(SUCCESSFUL_STATUSES.map((status) => sql.lit(status)));
  const failed = sql.lit(FAILED_STATUS);
  const from = after
    ? sql`AND date >= ${after.date}
        AND (date > ${after.date} OR (date = ${after.date} AND versions_id > ${after.versions_id}))`
    : sql``;
  const { rows } = await sql<RolledRow>`
    SELECT v.versions_id, v.date, v.status,
      MIN(h.id) AS created_entry,
      MIN(CASE WHEN h.status IN (${successful}) THEN h.id END) AS success_entry,
      MIN(CASE WHEN h.status IN (${successful}) THEN h.date END) AS succeeded_at,
      MIN(CASE WHEN h.status = ${failed} THEN h.date END) AS failed_at
    FROM (
      SELECT versions_id, date, status FROM versions
      WHERE workload = ${environment.workload} AND platform = ${environment.platform}
        AND environment = ${environment.environment} ${from}
      ORDER BY date, versions_id
      LIMIT ${sql.lit(limit)}
    ) v LEFT JOIN versions_status_history h ON h.versions_id = v.versions_id
    GROUP BY v.versions_id, v.date, v.status
    ORDER BY v.date, v.versions_id`.execute(db);
  return rows;
}
