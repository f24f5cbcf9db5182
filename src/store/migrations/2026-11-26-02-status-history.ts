// Every status a deployment goes through, with its time. Rows that existed before get one entry:
// their current status at their date (what happened in between was never recorded). Frozen: never edit.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect === 'postgres') {
    await sql`CREATE TABLE versions_status_history (
      id SERIAL PRIMARY KEY,
      versions_id INTEGER NOT NULL REFERENCES versions (versions_id) ON DELETE CASCADE,
      status TEXT NOT NULL,
      date TIMESTAMP NOT NULL
    )`.execute(db);
  } else if (dialect === 'mysql') {
    await sql`CREATE TABLE versions_status_history (
      id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      versions_id INT NOT NULL,
      status TEXT NOT NULL,
      date DATETIME(3) NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`.execute(db);
  } else {
    await sql`CREATE TABLE versions_status_history (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      versions_id INTEGER NOT NULL REFERENCES versions (versions_id) ON DELETE CASCADE,
      status TEXT NOT NULL,
      date TEXT NOT NULL
    )`.execute(db);
  }
  await db.schema
    .createIndex('idx_status_history_deployment')
    .on('versions_status_history')
    .columns(['versions_id', 'date', 'id'])
    .execute();
  await sql`INSERT INTO versions_status_history (versions_id, status, date)
    SELECT versions_id, status, date FROM versions ORDER BY versions_id`.execute(db);
}
