import { decodeCursor, encodeCursor, parseLimit } from '../deployments/deployments-query.js';
import type { AuditQuery } from '../deployments/deployments-query.schemas.js';
import { versionId } from '../validation/names.js';
import type { AuditEntry } from './audit.js';
import type { AuditFilter, AuditStore } from '../store/audit.store.js';

export interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}

/** The audit log, read back newest first by cursor (the stores append to it with each write). */
export class AuditService {
  constructor(private readonly store: AuditStore) {}

  /** A page of the log, newest first; `nextCursor` is null on the last page. */
  async page(input: AuditQuery): Promise<AuditPage> {
    const filter: AuditFilter = {};
    if (input.versionId !== undefined && input.versionId !== '')
      filter.versionId = versionId(input.versionId);
    // The schema lets only created, status or deleted through.
    if (input.action !== undefined) filter.action = input.action;
    const limit = parseLimit(input.limit);
    const after = decodeCursor(input.cursor, ['audit', filter]);
    // One more than asked tells whether there is a next page without counting.
    const rows = await this.store.page(filter, after?.id, limit + 1);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ date: new Date(last.date), id: last.id }, ['audit', filter])
          : null,
    };
  }
}
