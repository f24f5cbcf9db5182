// MySQL only. The original's MySQL migration 2 turned `status` from varchar(100) into TEXT, which MariaDB
// indexes on a prefix only and MySQL cannot index at all: the composite indexes that filter by status could
// not be created on such a table. It becomes varchar(100) again, as the original first created it and as the
// service creates it (the original refused statuses over 100 characters; a longer one, written by other
// means, widens the column to fit rather than being cut). Checked first, so a second start does nothing.
// Frozen: never edit.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';
import { columnOf } from './mysql-introspection.js';

const MAX_STATUS_LENGTH = 100;

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect !== 'mysql') return;
  const status = await columnOf(db, 'versions', 'status');
  if (!status || !/text$/.test(status.type)) return;
  const { rows } = await sql<{ longest: number | string | null }>`
    SELECT MAX(CHAR_LENGTH(status)) AS longest FROM versions`.execute(db);
  const length = Math.max(MAX_STATUS_LENGTH, Number(rows[0]?.longest ?? 0));
  await sql`ALTER TABLE versions MODIFY status VARCHAR(${sql.raw(String(length))}) NOT NULL DEFAULT ''`.execute(
    db,
  );
}
