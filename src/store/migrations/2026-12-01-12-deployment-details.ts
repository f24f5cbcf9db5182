// What a deployment knows of its change (issue 12): the commit, ref, repository, deployer, links and
// description in `versions_details` (one row per deployment that sent any), the commits it brought in
// `versions_changes`, and who set each status (with the description and log link sent along) on the
// history. All beside `versions`, which the Go original reads with SELECT * and must find unchanged.
// The commit column is `commit_sha`: COMMIT is an SQL keyword. Frozen: never edit.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const mysql = dialect === 'mysql';
  const suffix = mysql ? sql` ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin` : sql``;
  const date = dialect === 'postgres' ? sql`TIMESTAMP` : mysql ? sql`DATETIME(3)` : sql`TEXT`;
  // MySQL's TEXT holds 64 KiB, enough for URLs and a 1,000-character description.
  const deployment = mysql
    ? sql`versions_id INT NOT NULL`
    : sql`versions_id INTEGER NOT NULL REFERENCES versions (versions_id) ON DELETE CASCADE`;

  await sql`CREATE TABLE versions_details (
    ${deployment} PRIMARY KEY,
    commit_sha VARCHAR(64),
    ref VARCHAR(255),
    repository TEXT,
    deployer VARCHAR(100),
    log_url TEXT,
    environment_url TEXT,
    description TEXT
  )${suffix}`.execute(db);

  await sql`CREATE TABLE versions_changes (
    ${deployment},
    position INTEGER NOT NULL,
    commit_sha VARCHAR(64) NOT NULL,
    committed_at ${date} NOT NULL,
    title VARCHAR(500),
    author VARCHAR(100),
    PRIMARY KEY (versions_id, position)
  )${suffix}`.execute(db);
  // Lead time and comparison look a commit up across deployments.
  await db.schema
    .createIndex('idx_changes_commit')
    .on('versions_changes')
    .columns(['commit_sha', 'versions_id'])
    .execute();

  await sql`ALTER TABLE versions_status_history ADD COLUMN set_by VARCHAR(100)`.execute(db);
  await sql`ALTER TABLE versions_status_history ADD COLUMN description TEXT`.execute(db);
  await sql`ALTER TABLE versions_status_history ADD COLUMN log_url TEXT`.execute(db);
}
