// The original created changelog_url and raw as `text DEFAULT NULL`. Its PostgreSQL migration 2 only set their
// default to '', and its MySQL one (NOT NULL) stops on a NULL row under strict mode, so an adopted database may
// still allow, and hold, NULL there. Such a NULL becomes '' — what the original's own MySQL migration turned it
// into (its reads of a NULL row failed) — and the columns become NOT NULL, as the service's own schema has them.
// Each column is checked first, so that a start that failed half-way on MySQL (DDL is not transactional) carries
// on. Frozen: never edit.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';

const COLUMNS = ['changelog_url', 'raw'];

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect === 'sqlite') return;
  const versions = (await db.introspection.getTables()).find((table) => table.name === 'versions');
  for (const column of versions?.columns ?? []) {
    if (!COLUMNS.includes(column.name) || !column.isNullable) continue;
    await sql`UPDATE versions SET ${sql.ref(column.name)} = '' WHERE ${sql.ref(column.name)} IS NULL`.execute(
      db,
    );
    if (dialect === 'postgres') {
      await sql`ALTER TABLE versions ALTER COLUMN ${sql.ref(column.name)} SET NOT NULL`.execute(db);
    } else {
      // The type stays as it is (TEXT, or MEDIUMTEXT after the utf8mb4 conversion widened it).
      await sql`ALTER TABLE versions MODIFY ${sql.ref(column.name)} ${sql.raw(column.dataType)} NOT NULL`.execute(
        db,
      );
    }
  }
}
