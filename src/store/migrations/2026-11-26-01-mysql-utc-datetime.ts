// MySQL only, fixing what the original's table got wrong without losing data. Frozen: never edit.
// - TIMESTAMP ends in 2038: the date becomes DATETIME(3). The original's sessions ran in the server's
//   time zone and its API returned that wall-clock time as UTC, so the conversion runs in that same zone:
//   every date reads back exactly as the original showed it.
// - TEXT holds 64 KiB: raw payloads (build manifests...) become LONGTEXT.
// - utf8 is 3-byte: the table becomes utf8mb4 so that emoji and every other character fit; the binary
//   collation compares names exactly, as PostgreSQL and SQLite do.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect !== 'mysql') return;
  await db.connection().execute(async (connection) => {
    await sql`SET time_zone = @@global.time_zone`.execute(connection);
    try {
      await sql`ALTER TABLE versions MODIFY date DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`.execute(
        connection,
      );
    } finally {
      await sql`SET time_zone = '+00:00'`.execute(connection);
    }
  });
  await sql`ALTER TABLE versions CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`.execute(db);
  await sql`ALTER TABLE versions MODIFY raw LONGTEXT NOT NULL`.execute(db);
}
