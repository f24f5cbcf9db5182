// PostgreSQL only: every table of the service notifies the channel `versions_changes` when a statement
// changed it, so that each replica's in-process read cache learns of every commit, whoever made it (another
// replica, the Go original, a person with psql). NOTIFY is delivered at commit, once per transaction and
// payload, so a create that writes four tables sends one notification. SQLite and MySQL have nothing here:
// SQLite's data_version needs no trigger, and MySQL has no notifications (no in-process cache there).
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`
    CREATE OR REPLACE FUNCTION versions_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('versions_changes', '');
      RETURN NULL;
    END
    $$`.execute(db);
  // Every table the service owns at this point; a later migration that adds a table adds its trigger too.
  const { rows } = await sql<{ tablename: string }>`
    SELECT tablename FROM pg_tables
    WHERE schemaname = current_schema() AND tablename LIKE 'versions%'
      AND tablename NOT IN ('versions_migrations', 'versions_migrations_lock')
    ORDER BY tablename`.execute(db);
  for (const { tablename } of rows) {
    const trigger = sql.id(`${tablename}_notify_change`);
    await sql`DROP TRIGGER IF EXISTS ${trigger} ON ${sql.table(tablename)}`.execute(db);
    await sql`
      CREATE TRIGGER ${trigger} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${sql.table(tablename)}
      FOR EACH STATEMENT EXECUTE FUNCTION versions_notify_change()`.execute(db);
  }
}
