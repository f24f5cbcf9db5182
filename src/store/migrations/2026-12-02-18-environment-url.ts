// Where each workload's environment answers (issue 18): the id of its newest deployment that sent an
// `environmentURL`, kept on the environment's row by every create that sends one, so GET /environments reads
// the small environments table and one details row per environment instead of walking `versions`. The
// URL itself stays in `versions_details`. Existing deployments are looked at once, here. Frozen: never edit.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const integer = dialect === 'mysql' ? sql`INT` : sql`INTEGER`;
  await sql`ALTER TABLE versions_environments ADD COLUMN environment_url_id ${integer}`.execute(db);
  await sql`UPDATE versions_environments SET environment_url_id = (
    SELECT v.versions_id FROM versions v
    INNER JOIN versions_details d ON d.versions_id = v.versions_id
    WHERE v.workload = versions_environments.workload
      AND v.platform = versions_environments.platform
      AND v.environment = versions_environments.environment
      AND d.environment_url IS NOT NULL
    ORDER BY v.date DESC, v.versions_id DESC
    LIMIT 1
  )`.execute(db);
}
