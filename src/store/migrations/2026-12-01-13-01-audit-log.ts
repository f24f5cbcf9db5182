// The audit log (issue 13): one row per write (created, status, deleted) with its time, the name of the
// token that made it, the request's address and the deployment as it was after the write (before it, for a
// delete), so that a deleted deployment stays readable there. No foreign key to `versions`: its rows outlive
// the deployment. And the index that serves a status filter over every environment, newest first.
// Frozen: never edit.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect === 'postgres') {
    await sql`CREATE TABLE versions_audit (
      id SERIAL PRIMARY KEY,
      date TIMESTAMP NOT NULL,
      action VARCHAR(20) NOT NULL,
      versions_id INTEGER NOT NULL,
      token_name VARCHAR(100),
      address VARCHAR(64),
      deployment TEXT NOT NULL
    )`.execute(db);
  } else if (dialect === 'mysql') {
    await sql`CREATE TABLE versions_audit (
      id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      date DATETIME(3) NOT NULL,
      action VARCHAR(20) NOT NULL,
      versions_id INT NOT NULL,
      token_name VARCHAR(100),
      address VARCHAR(64),
      deployment LONGTEXT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`.execute(db);
  } else {
    await sql`CREATE TABLE versions_audit (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      date TEXT NOT NULL,
      action VARCHAR(20) NOT NULL,
      versions_id INTEGER NOT NULL,
      token_name VARCHAR(100),
      address VARCHAR(64),
      deployment TEXT NOT NULL
    )`.execute(db);
  }
  await db.schema
    .createIndex('idx_audit_deployment')
    .on('versions_audit')
    .columns(['versions_id', 'id'])
    .execute();

  // GET /deployments?status=failed over everything: the failures newest first, without reading the others.
  await db.schema
    .createIndex('idx_versions_status_date')
    .on('versions')
    .columns(['status', 'date', 'versions_id'])
    .execute();
}
