import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Deployment } from '../deployments/deployment.js';
import { parseUtcDate, type StoreDialect } from '../store/dialects/index.js';
import type { Database } from '../store/schema.js';
import type { AuditAction, AuditEntry } from './audit.js';
import { guardUnavailable } from '../store/unavailable.js';

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

type AuditDatabase = Database & { versions_audit: AuditTable };

/** What a page of the audit log may be narrowed to. */
export interface AuditFilter {
  versionId?: number;
  action?: AuditAction;
}

/** Appends to the audit log and reads it newest first, by keyset on its id. */
export class AuditStore {
  private readonly db: Kysely<AuditDatabase>;

  constructor(private readonly dialect: StoreDialect) {
    this.db = dialect.db.withTables<{ versions_audit: AuditTable }>();
  }

  append(entry: Omit<AuditEntry, 'id' | 'date'> & { date: Date }): Promise<void> {
    return this.guard(async () => {
      await this.db
        .insertInto('versions_audit')
        .values({
          date: this.dialect.toDbDate(entry.date),
          action: entry.action,
          versions_id: entry.versionId,
          token_name: entry.tokenName,
          address: entry.address,
          deployment: JSON.stringify(entry.deployment),
        })
        .execute();
    });
  }

  /** Up to `limit` entries, newest first, with an id below `beforeId` when given. */
  page(filter: AuditFilter, beforeId: number | undefined, limit: number): Promise<AuditEntry[]> {
    return this.guard(async () => {
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
        deployment: JSON.parse(row.deployment) as Deployment,
      }));
    });
  }

  /** Database work, "unreachable" answered as 503 (store/unavailable.ts). */
  private guard<T>(work: () => Promise<T>): Promise<T> {
    return guardUnavailable(this.dialect, work);
  }
}
