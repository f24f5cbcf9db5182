// The Go original's schema (golang-migrate version 3), created only when the database has no `versions`
// table yet. A database of the original already has it and is adopted as it is. Frozen: never edit.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';

const INDEXES = ['workload', 'environment', 'version', 'status'];

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const tables = await db.introspection.getTables();
  const names = new Set(tables.map((table) => table.name));
  if (!names.has('versions')) {
    if (dialect === 'postgres') {
      await sql`CREATE TABLE versions (
        versions_id SERIAL PRIMARY KEY,
        workload VARCHAR(100) NOT NULL,
        platform VARCHAR(100) NOT NULL,
        environment VARCHAR(100) NOT NULL,
        version VARCHAR(100) NOT NULL,
        changelog_url TEXT NOT NULL DEFAULT '',
        raw TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        date TIMESTAMP NOT NULL DEFAULT now()
      )`.execute(db);
    } else if (dialect === 'mysql') {
      await sql`CREATE TABLE versions (
        versions_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        workload VARCHAR(100) NOT NULL,
        platform VARCHAR(100) NOT NULL,
        environment VARCHAR(100) NOT NULL,
        version VARCHAR(100) NOT NULL,
        changelog_url TEXT NOT NULL,
        raw TEXT NOT NULL,
        status VARCHAR(100) NOT NULL,
        date TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8`.execute(db);
    } else {
      await sql`CREATE TABLE versions (
        versions_id INTEGER PRIMARY KEY AUTOINCREMENT,
        workload VARCHAR(100) NOT NULL,
        platform VARCHAR(100) NOT NULL,
        environment VARCHAR(100) NOT NULL,
        version VARCHAR(100) NOT NULL,
        changelog_url TEXT NOT NULL DEFAULT '',
        raw TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      )`.execute(db);
    }
    for (const column of INDEXES) {
      await db.schema.createIndex(`idx_${column}`).on('versions').column(column).execute();
    }
  }
  // golang-migrate's bookkeeping, so that the Go original can still be pointed at this database.
  if (!names.has('schema_migrations')) {
    await sql`CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)`.execute(
      db,
    );
    await sql`INSERT INTO schema_migrations (version, dirty) VALUES (3, FALSE)`.execute(db);
  }
}
