// The latest-version lookup as the store's latestVersion(key, true) sends it: Kysely compiles it to exactly
// this text on each database (only quoting differs), with the same parameters.
import type { DialectName } from '../src/config.js';
import { SUCCESSFUL_STATUSES } from '../src/deployments/deployment.js';
import { HOT_ENVIRONMENT } from './dataset.js';

export function lookupSql(dialect: DialectName): string {
  // MySQL's dialect names the index (src/store/dialects/mysql.ts says why).
  const from =
    dialect === 'mysql'
      ? 'versions AS versions FORCE INDEX (idx_versions_environment_date)'
      : 'versions AS versions';
  return `SELECT version FROM ${from} WHERE workload = ? AND platform = ? AND environment = ?
  AND status IN (?, ?) ORDER BY date DESC, versions_id DESC LIMIT ?`;
}

export const LOOKUP_PARAMETERS: Array<string | number> = [
  HOT_ENVIRONMENT.workload,
  HOT_ENVIRONMENT.platform,
  HOT_ENVIRONMENT.environment,
  ...SUCCESSFUL_STATUSES,
  1,
];

/** The same statement with PostgreSQL's numbered placeholders ($1, $2...). */
export function numberedPlaceholders(text: string): string {
  let index = 0;
  return text.replace(/\?/g, () => `$${++index}`);
}

/**
 * The Go original's latest-version query, as it ran against its table with single-column indexes only:
 * the successful deployments of an environment, newest first.
 */
export const ORIGINAL_LOOKUP_SQL = `SELECT version FROM versions_original
  WHERE workload = ? AND platform = ? AND environment = ? AND status IN ('deployed', 'completed')
  ORDER BY date DESC LIMIT 1`;
