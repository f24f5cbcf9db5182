// The tier an environment (platform + environment, whatever the workload) was given by hand. Environments
// without a row here take the tier inferred from their names (src/environments/tiers.ts), so nothing is
// backfilled and a rule change reaches every environment nobody set. Frozen: never edit.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const suffix =
    dialect === 'mysql' ? sql` ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin` : sql``;
  await sql`CREATE TABLE versions_environment_tiers (
    platform VARCHAR(100) NOT NULL,
    environment VARCHAR(100) NOT NULL,
    tier VARCHAR(16) NOT NULL,
    PRIMARY KEY (platform, environment)
  )${suffix}`.execute(db);
}
