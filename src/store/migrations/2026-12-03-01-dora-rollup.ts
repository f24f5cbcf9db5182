// The DORA rollup (issue 15): per UTC day and month, the deployments created in it by current status and the
// log-scale histograms of their deployment durations and restore times (src/store/dora-rollup.ts keeps it in
// every write's transaction; src/insights/histogram.ts defines the bins). This migration computes it for the
// rows already there: the deployments and their history read in ranges of ids, each environment's
// deployments then walked in order (date, then id) in memory. Frozen: never edit; the bins below are those
// of histogram.ts when it was written.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';

const GAMMA = 1.04;
const MIN_SECONDS = 0.001;
const SUCCESSFUL = ['deployed', 'completed'];
const FAILED = 'failed';
const IDS_PER_READ = 50_000;
const ROWS_PER_INSERT = 500;
const MEASURE = { deployments: 0, successful: 1, failed: 2, deploymentSeconds: 3, restoreSeconds: 4 };

function binOf(seconds: number): number {
  if (!(seconds > 0)) return 0;
  const exponent = Math.log(seconds / MIN_SECONDS) / Math.log(GAMMA);
  return Math.max(1, Math.ceil(exponent - 1e-9) + 1);
}

function toTime(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  const text = String(value);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`).getTime();
}

interface Deployment {
  id: number;
  date: number;
  status: string;
  measured: boolean;
  succeededAt: number | null;
  failedAt: number | null;
}

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

/** Fills the empty rollup from the deployments there (the bench calls it after its bulk load too). */
export async function rollUpDeployments(db: Kysely<any>): Promise<void> {
  const environments = new Map<string, Deployment[]>();
  const { last } = (await db
    .selectFrom('versions')
    .select((eb) => eb.fn.max('versions_id').as('last'))
    .executeTakeFirst()) as { last: number | string | null };
  for (let first = 1; first <= Number(last ?? 0); first += IDS_PER_READ) {
    const end = first + IDS_PER_READ - 1;
    const successful = sql.join(SUCCESSFUL.map((status) => sql.lit(status)));
    const rows = await sql<Record<string, unknown>>`
      SELECT v.versions_id, v.workload, v.platform, v.environment, v.date, v.status,
        h.created_entry, h.success_entry, h.succeeded_at, h.failed_at
      FROM versions v LEFT JOIN (
        SELECT versions_id, MIN(id) AS created_entry,
          MIN(CASE WHEN status IN (${successful}) THEN id END) AS success_entry,
          MIN(CASE WHEN status IN (${successful}) THEN date END) AS succeeded_at,
          MIN(CASE WHEN status = ${FAILED} THEN date END) AS failed_at
        FROM versions_status_history WHERE versions_id BETWEEN ${first} AND ${end} GROUP BY versions_id
      ) h ON h.versions_id = v.versions_id
      WHERE v.versions_id BETWEEN ${first} AND ${end}`.execute(db);
    for (const row of rows.rows) {
      const key = JSON.stringify([row.workload, row.platform, row.environment]);
      let list = environments.get(key);
      if (!list) environments.set(key, (list = []));
      list.push({
        id: Number(row.versions_id),
        date: toTime(row.date),
        status: String(row.status),
        measured:
          row.created_entry !== null &&
          row.success_entry !== null &&
          Number(row.created_entry) < Number(row.success_entry),
        succeededAt: row.succeeded_at === null ? null : toTime(row.succeeded_at),
        failedAt: row.failed_at === null ? null : toTime(row.failed_at),
      });
    }
  }

  // What dora-rollup.ts's factsOf() computes, for every environment at once, per day and per month.
  const facts = new Map<string, number>();
  const add = (date: number, measure: number, bin = 0) => {
    const day = new Date(date).toISOString().slice(0, 10);
    for (const period of [day, day.slice(0, 7)]) {
      const key = `${period}|${measure}|${bin}`;
      facts.set(key, (facts.get(key) ?? 0) + 1);
    }
  };
  for (const deployments of environments.values()) {
    deployments.sort((a, b) => a.date - b.date || a.id - b.id);
    let unrestored: Deployment[] = [];
    for (const deployment of deployments) {
      add(deployment.date, MEASURE.deployments);
      if (deployment.measured && deployment.succeededAt !== null) {
        add(
          deployment.date,
          MEASURE.deploymentSeconds,
          binOf((deployment.succeededAt - deployment.date) / 1000),
        );
      }
      if (deployment.status === FAILED) {
        add(deployment.date, MEASURE.failed);
        unrestored.push(deployment);
      } else if (SUCCESSFUL.includes(deployment.status)) {
        add(deployment.date, MEASURE.successful);
        const restoredAt = deployment.succeededAt ?? deployment.date;
        for (const failure of unrestored) {
          add(
            failure.date,
            MEASURE.restoreSeconds,
            binOf((restoredAt - (failure.failedAt ?? failure.date)) / 1000),
          );
        }
        unrestored = [];
      }
    }
  }
  environments.clear();
  const rows = [...facts].map(([key, deployments]) => {
    const [period, measure, bin] = key.split('|');
    return { period, measure: Number(measure), bin: Number(bin), deployments };
  });
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    await db
      .insertInto('versions_dora_rollup')
      .values(rows.slice(start, start + ROWS_PER_INSERT))
      .execute();
  }
}
