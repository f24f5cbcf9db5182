// List reads carry each row's payload (`raw`), which may be a megabyte. Read blindly, a page of 1,000 such
// rows took a gigabyte of memory before anything checked it. Here a list query fetches small payloads
// with its rows and only the sizes of large ones; the large ones are read afterwards, and only as far as
// the answer's byte budget (APP_ANSWER_LIMIT) allows.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, VersionsTable } from './schema.js';

/** Payloads up to this many bytes come with the list query itself (most are `N/A` or a few kB of JSON). */
const INLINE_PAYLOAD_BYTES = 4096;

/** The columns of a list read: every column of `versions`, `raw` only when small, and its size in bytes. */
export const LIST_COLUMNS = [
  'versions_id',
  'workload',
  'platform',
  'environment',
  'version',
  'changelog_url',
  'status',
  'date',
  sql<string | null>`case when octet_length(raw) <= ${sql.lit(INLINE_PAYLOAD_BYTES)} then raw end`.as('raw'),
  sql<number | string | null>`octet_length(raw)`.as('raw_bytes'),
] as const;

/** A row as a list query with LIST_COLUMNS returns it. */
export type ListRow = Omit<Selectable<VersionsTable>, 'raw'> & {
  raw: string | null;
  raw_bytes: number | string | null;
};

export interface BudgetedRows {
  /** The leading rows whose payloads fit in the budget (always at least the first), payloads filled in. */
  rows: Array<Selectable<VersionsTable>>;
  /** Every row fitted. */
  complete: boolean;
  /** How many leading rows fit. */
  fitting: number;
}

/**
 * Keeps the leading rows whose payloads add up to at most `maxBytes` (the first row always, whatever its
 * size: it was accepted when created), then reads the large payloads of the rows kept, in one query.
 * With `partial` false, rows that do not all fit are not read at all (`rows` is empty).
 */
export async function fillPayloads(
  db: Kysely<Database>,
  rows: ListRow[],
  maxBytes: number,
  partial: boolean,
): Promise<BudgetedRows> {
  let bytes = 0;
  let kept = 0;
  for (const row of rows) {
    bytes += Number(row.raw_bytes ?? 0);
    if (kept > 0 && bytes > maxBytes) break;
    kept++;
  }
  const complete = kept === rows.length;
  if (!complete && !partial) return { rows: [], complete, fitting: kept };
  const fitting = rows.slice(0, kept);
  const large = fitting.filter((row) => Number(row.raw_bytes ?? 0) > INLINE_PAYLOAD_BYTES);
  const payloads = new Map<number, string>();
  if (large.length > 0) {
    const read = await db
      .selectFrom('versions')
      .select(['versions_id', 'raw'])
      .where(
        'versions_id',
        'in',
        large.map((row) => row.versions_id),
      )
      .execute();
    for (const row of read) payloads.set(Number(row.versions_id), row.raw);
  }
  // Filled in place: these rows are the driver's fresh objects, and a copy of each would only add garbage.
  for (const row of fitting) {
    // A row deleted between the two reads keeps an empty payload rather than failing the whole list.
    row.raw ??= payloads.get(Number(row.versions_id)) ?? '';
  }
  return { rows: fitting as Array<Selectable<VersionsTable>>, complete, fitting: kept };
}
