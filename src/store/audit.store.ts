import type { ColumnType, Expression, Generated, Kysely } from 'kysely';
import type { Deployment } from '../deployments/deployment.js';
import type { StoreDatabase } from './database.js';
import { parseUtcDate, type SqlFragments } from './dialects/index.js';
import type { Database } from './schema.js';
import type { AuditAction, AuditEntry, AuditStamp } from '../audit/audit.js';

/** The audit table (migration 2026-12-01-13-01-audit-log). */
export interface AuditTable {
  id: Generated<number>;
  date: ColumnType<unknown, Date | string, never>;
  action: AuditAction;
  versions_id: number;
  token_name: string | null;
  address: string | null;
  /** The deployment as JSON text. */
  deployment: string;
}

export type AuditDatabase = Database & { versions_audit: AuditTable };

/** What a page of the audit log may be narrowed to. */
export interface AuditFilter {
  versionId?: number;
  action?: AuditAction;
}

/** Reads the audit log newest first, by keyset on its id; writes append to it through `insert`. */
export class AuditStore {
  private readonly db: Kysely<AuditDatabase>;

  constructor(private readonly database: StoreDatabase) {
    this.db = database.db.withTables<{ versions_audit: AuditTable }>();
  }

  /**
   * The INSERT of one audit row, built for the caller to run inside the transaction (or batch) of the write
   * it records. `versionsId` may be SQL: a create's batch knows its id only once the row is in. The
   * deployment is stored without its id, which the row's own column holds.
   */
  static insert(
    db: Kysely<Database>,
    sql: SqlFragments,
    action: AuditAction,
    stamp: AuditStamp,
    versionsId: number | Expression<number>,
    deployment: Omit<Deployment, 'versions_id'> & { versions_id?: number },
  ) {
    const withoutId = { ...deployment };
    delete withoutId.versions_id;
    return db
      .withTables<{ versions_audit: AuditTable }>()
      .insertInto('versions_audit')
      .values({
        date: sql.toDbDate(stamp.date),
        action,
        versions_id: versionsId,
        token_name: stamp.tokenName,
        address: stamp.address,
        deployment: JSON.stringify(withoutId),
      });
  }

  /** Up to `limit` entries, newest first, with an id below `beforeId` when given. */
  page(filter: AuditFilter, beforeId: number | undefined, limit: number): Promise<AuditEntry[]> {
    return this.database.guard(async () => {
      let query = this.db.selectFrom('versions_audit').selectAll();
      if (filter.versionId !== undefined) query = query.where('versions_id', '=', filter.versionId);
      if (filter.action !== undefined) query = query.where('action', '=', filter.action);
      if (beforeId !== undefined) query = query.where('id', '<', beforeId);
      const rows = await query.orderBy('id', 'desc').limit(limit).execute();
      return rows.map((row) => ({
        id: Number(row.id),
        date: parseUtcDate(row.date).toISOString(),
        action: row.action,
        versionId: Number(row.versions_id),
        tokenName: row.token_name,
        address: row.address,
        // Rows written before the id had its own place carry it in the JSON too: the same number.
        deployment: {
          versions_id: Number(row.versions_id),
          ...(JSON.parse(row.deployment) as Omit<Deployment, 'versions_id'>),
        },
      }));
    });
  }
}
