// The algorithms a database may need in its own way, one named strategy each; a dialect picks one of each
// (sqlite.ts, postgres.ts, mysql.ts), so that the stores never branch on what the database can do.
import {
  sql as rawSql,
  type CompiledQuery,
  type Expression,
  type InsertQueryBuilder,
  type InsertResult,
  type Kysely,
} from 'kysely';
import type { NewDeployment } from '../../deployments/deployment.js';
import type { AuditDatabase } from '../audit.store.js';
import { countCreated, utcDayOf } from '../daily-counts.js';
import type { Database } from '../schema.js';
import type { SqlFragments, StoreConnection } from './dialect.js';

/** What a create's statements are run on (the StoreDatabase). */
export type AtomicExecutor = Pick<StoreConnection, 'db' | 'executeAtomically'>;

/** A deployment's row as it is written: its date already in the form the driver needs. */
export type NewDeploymentRow = Omit<NewDeployment, 'date'> & { date: Date | string };

/**
 * The audit row of a create (AuditStore.insert), given the new deployment's id as the strategy knows it
 * inside its statements; built, not run.
 */
export type AuditRowOf = (
  versionsId: number | Expression<number>,
) => InsertQueryBuilder<AuditDatabase, 'versions_audit', InsertResult>;

/**
 * How a new deployment's rows (the deployment, its first status, its environment's and its day's counts, its
 * audit row when asked for) are written.
 */
export interface CreateStrategy {
  /** The statements of a create without details, compiled: what `run` sends. */
  statements(
    db: Kysely<Database>,
    sql: SqlFragments,
    row: NewDeploymentRow,
    audit?: AuditRowOf,
  ): CompiledQuery[];
  /** Sends `statements` so that they apply all or none; the new deployment's id. */
  run(database: AtomicExecutor, statements: readonly CompiledQuery[]): Promise<number>;
  /** Inserts the deployment's row inside the caller's transaction; its id. */
  insertRow(trx: Kysely<Database>, row: NewDeploymentRow): Promise<number>;
}

/**
 * PostgreSQL: INSERTs may run inside WITH, so the writes are one statement: atomic all the same, and one
 * round trip instead of six (BEGIN, four statements, COMMIT). A statement sent alone is rolled back whole on
 * a deadlock or serialization failure: safe to run again (the store retries it).
 */
export const createInOneStatement: CreateStrategy = {
  statements(db, sql, row, audit) {
    const { workload, platform, environment } = row;
    const written = db
      .with('created', (db) =>
        db.insertInto('versions').values(row).returning(['versions_id', 'status', 'date']),
      )
      .with('history', (db) =>
        db
          .insertInto('versions_status_history')
          .columns(['versions_id', 'status', 'date'])
          .expression((eb) => eb.selectFrom('created').select(['versions_id', 'status', 'date']))
          .returning('id'),
      )
      .with('counted', () =>
        sql.countDeployment(db, { workload, platform, environment }).returning('deployments'),
      )
      // The data-modifying parts of a WITH run in no order the query states, while every other write (the
      // create with details, the delete) counts the environment first and then the day. Two writes in one
      // environment taking the two count rows in opposite orders deadlock; selecting the day's row from
      // `counted` makes this statement take the environment's lock first too.
      .with('counted_day', (db) =>
        db
          .insertInto('versions_daily_counts')
          .columns(['day', 'workload', 'platform', 'environment', 'status', 'deployments'])
          .expression((eb) =>
            eb
              .selectFrom('counted')
              .select([
                rawSql.val(utcDayOf(row.date)).as('day'),
                rawSql.val(workload).as('workload'),
                rawSql.val(platform).as('platform'),
                rawSql.val(environment).as('environment'),
                rawSql.val(row.status).as('status'),
                rawSql.lit(1).as('deployments'),
              ]),
          )
          .onConflict((conflict) =>
            conflict
              .columns(['day', 'workload', 'platform', 'environment', 'status'])
              .doUpdateSet({ deployments: rawSql`versions_daily_counts.deployments + 1` }),
          )
          .returning('deployments'),
      );
    // The audit row in the same statement: a data-modifying WITH runs whether or not the query reads it.
    const query = audit
      ? written
          .with('audited', () => audit(rawSql<number>`(SELECT versions_id FROM created)`).returning('id'))
          .selectFrom('created')
          .select('versions_id')
      : written.selectFrom('created').select('versions_id');
    return [query.compile()];
  },
  async run(database, [statement]) {
    const { rows } = await database.db.executeQuery<{ versions_id: number }>(statement!);
    return Number(rows[0]!.versions_id);
  },
  insertRow: insertReturningId,
};

/** SQLite: the three statements sent as one atomic batch; the deployment's INSERT returns its id. */
export const createInBatchReturningId: CreateStrategy = {
  statements: (db, sql, row, audit) => [
    db.insertInto('versions').values(row).returning('versions_id').compile(),
    ...historyAuditAndCounts(db, sql, row, audit),
  ],
  run: runBatch,
  insertRow: insertReturningId,
};

/** MySQL and MariaDB (no RETURNING): the same batch; the driver's insertId is the deployment's id. */
export const createInBatchWithInsertId: CreateStrategy = {
  statements: (db, sql, row, audit) => [
    db.insertInto('versions').values(row).compile(),
    ...historyAuditAndCounts(db, sql, row, audit),
  ],
  run: runBatch,
  async insertRow(trx, row) {
    return Number((await trx.insertInto('versions').values(row).executeTakeFirstOrThrow()).insertId);
  },
};

/** The first status entry (of the row just inserted), the audit row and the counts, compiled. */
function historyAuditAndCounts(
  db: Kysely<Database>,
  sql: SqlFragments,
  row: NewDeploymentRow,
  audit: AuditRowOf | undefined,
) {
  const { workload, platform, environment, status, date } = row;
  return [
    db
      .insertInto('versions_status_history')
      .values({ versions_id: sql.lastInsertId, status, date })
      .compile(),
    // Before the count's upsert, which may move the last insert id on: the history row just written
    // (the last insert) names the deployment.
    ...(audit
      ? [
          audit(
            db
              .selectFrom('versions_status_history')
              .select('versions_id')
              .where('id', '=', sql.lastInsertId)
              .$asScalar(),
          ).compile(),
        ]
      : []),
    sql.countDeployment(db, { workload, platform, environment }).compile(),
    countCreated(sql, db, row).compile(),
  ];
}

async function runBatch(database: AtomicExecutor, statements: readonly CompiledQuery[]) {
  const [created] = await database.executeAtomically(statements);
  const row = created?.rows[0] as { versions_id?: number } | undefined;
  return Number(row?.versions_id ?? created?.insertId);
}

async function insertReturningId(trx: Kysely<Database>, row: NewDeploymentRow) {
  const inserted = await trx
    .insertInto('versions')
    .values(row)
    .returning('versions_id')
    .executeTakeFirstOrThrow();
  return Number(inserted.versions_id);
}

/**
 * How DORA's deployment and restore durations are read; InsightsStore implements both:
 * - `seekPerFailure`: a correlated subquery per failure seeks the restoring deployment by a range on an
 *   outer column (`r.date >= v.date ORDER BY r.date LIMIT 1` reads one index entry);
 * - `onePassInOrder`: for MySQL and MariaDB, which use only the equal prefix of such a range and would scan
 *   each failure's environment from its start, one pass over the window sorted per environment.
 */
export type DoraMeasuring = 'seekPerFailure' | 'onePassInOrder';
