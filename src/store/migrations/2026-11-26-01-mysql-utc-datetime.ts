// MySQL only: the original's TIMESTAMP ends in 2038 and its utf8 (3-byte) table cannot hold emoji.
// The session runs in UTC (see dialects/mysql.ts), so TIMESTAMP -> DATETIME keeps every instant.
// Frozen: never edit.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect !== 'mysql') return;
  await sql`SET time_zone = '+00:00'`.execute(db);
  await sql`ALTER TABLE versions MODIFY date DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`.execute(db);
  await sql`ALTER TABLE versions CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`.execute(db);
}
