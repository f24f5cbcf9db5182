import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import {
  NO_DETAILS,
  type Change,
  type DetailedHistoryEntry,
  type Details,
  type NewDetails,
  type WholeDeployment,
  type WholeDeploymentWithoutRaw,
} from '../deployments/deployment-details.js';
import { SUCCESSFUL_STATUSES, type EnvironmentKey } from '../deployments/deployment.js';
import type { StoreDatabase } from './database.js';
import { parseUtcDate, type SqlFragments } from './dialects/index.js';
import { relativeTo } from './keyset.js';
import type { Database, DetailsTable } from './schema.js';

const SUCCESSFUL = [...SUCCESSFUL_STATUSES];
/** Ids per IN list and changes per INSERT: far below every database's limit of bound parameters. */
const BATCH = 500;

/** A deployment as a link to it needs it: id, version, status and date. */
export interface DeploymentLink {
  versions_id: number;
  version: string;
  status: string;
  date: string;
}

/** The deployments around one in its environment, and the one running there now. */
export interface Neighbours {
  /** The deployment just before it in its environment by (date, id); null when it is the first. */
  previous: DeploymentLink | null;
  /** The deployment just after it; null when it is the newest. */
  next: DeploymentLink | null;
  /** The environment's newest successful deployment (maybe this one); null when none succeeded. */
  current: DeploymentLink | null;
}

/** A change that reached one environment and not another, with the versions it came in. */
export interface PendingChange extends Change {
  /** The deployments of the `from` environment that brought it, oldest first. */
  versions: Array<{ versions_id: number; version: string; date: string }>;
}

/**
 * The queries of what deployments know of their change (versions_details, versions_changes and the
 * history's notes): whole deployments, the one running in an environment, and what a promotion would ship.
 */
export class DeploymentDetailsStore {
  constructor(private readonly database: StoreDatabase) {}

  private get db(): Kysely<Database> {
    return this.database.db;
  }

  /**
   * Writes a new deployment's details and changes, inside the caller's transaction. Nothing is written
   * for a deployment that sent none.
   */
  static async insert(trx: Kysely<Database>, sql: SqlFragments, id: number, details: NewDetails) {
    const row = toDetailsRow(id, details);
    if (row) await trx.insertInto('versions_details').values(row).execute();
    for (let start = 0; start < details.changes.length; start += BATCH) {
      const rows = details.changes.slice(start, start + BATCH).map((change, index) => ({
        versions_id: id,
        position: start + index,
        commit_sha: change.commit,
        committed_at: sql.toDbDate(change.committedAt),
        title: change.title ?? null,
        author: change.author ?? null,
      }));
      await trx.insertInto('versions_changes').values(rows).execute();
    }
  }

  /**
   * Marks a new deployment that sent an environmentURL as its environment's newest, unless a newer one (by
   * date, then id: a backfill may be older) is marked already. Inside the create's transaction, after the
   * environment's count: that upsert holds the environment's row, so two creates there take turns.
   */
  static async markEnvironmentUrl(
    trx: Kysely<Database>,
    key: EnvironmentKey,
    id: number,
    date: Date | string,
  ): Promise<void> {
    await trx
      .updateTable('versions_environments')
      .set({ environment_url_id: id })
      .where('workload', '=', key.workload)
      .where('platform', '=', key.platform)
      .where('environment', '=', key.environment)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('versions as marked')
              .select('marked.versions_id')
              .whereRef('marked.versions_id', '=', 'versions_environments.environment_url_id')
              .where((eb) => {
                const columns = { date: eb.ref('marked.date'), id: eb.ref('marked.versions_id') };
                return relativeTo(eb, columns, '>', { date, id });
              }),
          ),
        ),
      )
      .execute();
  }

  /**
   * After deployment `id` was removed: when it was its environment's newest with an environmentURL, marks
   * the newest one left (or none). Inside the removal's transaction.
   */
  static async unmarkEnvironmentUrl(trx: Kysely<Database>, key: EnvironmentKey, id: number): Promise<void> {
    const newest = trx
      .selectFrom('versions as v')
      .innerJoin('versions_details as d', 'd.versions_id', 'v.versions_id')
      .select('v.versions_id')
      .where('v.workload', '=', key.workload)
      .where('v.platform', '=', key.platform)
      .where('v.environment', '=', key.environment)
      .where('d.environment_url', 'is not', null)
      .orderBy('v.date', 'desc')
      .orderBy('v.versions_id', 'desc')
      .limit(1);
    const row = await newest.executeTakeFirst();
    await trx
      .updateTable('versions_environments')
      .set({ environment_url_id: row ? Number(row.versions_id) : null })
      .where('workload', '=', key.workload)
      .where('platform', '=', key.platform)
      .where('environment', '=', key.environment)
      .where('environment_url_id', '=', id)
      .execute();
  }

  /** Sets a deployment's log link and description (those sent), keeping its other details. */
  static async note(trx: Kysely<Database>, id: number, note: { logURL?: string; description?: string }) {
    const set = {
      ...(note.logURL === undefined ? {} : { log_url: note.logURL }),
      ...(note.description === undefined ? {} : { description: note.description }),
    };
    if (Object.keys(set).length === 0) return;
    const updated = await trx
      .updateTable('versions_details')
      .set(set)
      .where('versions_id', '=', id)
      .execute();
    if (Number(updated[0]?.numUpdatedRows ?? 0) === 0) {
      const row = toDetailsRow(id, { changes: [], ...note }, true);
      if (row) await trx.insertInto('versions_details').values(row).execute();
    }
  }

  /** A deployment's details and changes as its events carry them (inside the caller's transaction). */
  static async eventFields(trx: Kysely<Database>, id: number): Promise<Details & { changes: Change[] }> {
    // One after the other: a transaction is one connection.
    const details = await trx
      .selectFrom('versions_details')
      .selectAll()
      .where('versions_id', '=', id)
      .executeTakeFirst();
    const changes = await trx
      .selectFrom('versions_changes')
      .selectAll()
      .where('versions_id', '=', id)
      .orderBy('position')
      .execute();
    return {
      ...(details ? fromDetailsRow(details) : NO_DETAILS),
      changes: changes.map((change) => ({
        commit: change.commit_sha,
        committedAt: parseUtcDate(change.committed_at).toISOString(),
        title: change.title,
        author: change.author,
      })),
    };
  }

  /**
   * The whole deployments of these ids, in the order given (ids without a deployment are left out): row,
   * details, changes and status history. With `raw: false` the payload is not read.
   */
  wholeDeployments(ids: readonly number[], options: { raw: false }): Promise<WholeDeploymentWithoutRaw[]>;
  wholeDeployments(ids: readonly number[], options?: { raw: true }): Promise<WholeDeployment[]>;
  wholeDeployments(
    ids: readonly number[],
    options: { raw: boolean } = { raw: true },
  ): Promise<Array<WholeDeployment | WholeDeploymentWithoutRaw>> {
    return this.database.guard(async () => {
      const found = new Map<number, WholeDeployment | WholeDeploymentWithoutRaw>();
      for (let start = 0; start < ids.length; start += BATCH) {
        const batch = [...new Set(ids.slice(start, start + BATCH))];
        for (const deployment of await this.loadBatch(batch, options.raw)) {
          found.set(deployment.versions_id, deployment);
        }
      }
      return ids.flatMap((id) => found.get(id) ?? []);
    });
  }

  /** The newest successful deployment of an environment, whole; undefined when it has none. */
  async current(key: EnvironmentKey): Promise<WholeDeployment | undefined> {
    const row = await this.database.guard(() =>
      this.db
        .selectFrom(this.database.sql.versionsThrough('idx_versions_environment_date'))
        .select('versions_id')
        .where('workload', '=', key.workload)
        .where('platform', '=', key.platform)
        .where('environment', '=', key.environment)
        .where('status', 'in', SUCCESSFUL)
        .orderBy('date', 'desc')
        .orderBy('versions_id', 'desc')
        .limit(1)
        .executeTakeFirst(),
    );
    if (!row) return undefined;
    const [deployment] = await this.wholeDeployments([Number(row.versions_id)]);
    return deployment;
  }

  /**
   * The deployments before and after this one in its workload/platform/environment, by (date, id), and the
   * one running there: three LIMIT 1 reads of idx_versions_environment_date after the row itself. Undefined
   * when there is no such id.
   */
  neighbours(id: number): Promise<Neighbours | undefined> {
    return this.database.guard(async () => {
      const row = await this.db
        .selectFrom('versions')
        .select(['workload', 'platform', 'environment', 'date'])
        .where('versions_id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      const queries = this.neighbourQueries(row, parseUtcDate(row.date), id);
      const [before, after, running] = await Promise.all([
        queries.previous.executeTakeFirst(),
        queries.next.executeTakeFirst(),
        queries.current.executeTakeFirst(),
      ]);
      return { previous: toLink(before), next: toLink(after), current: toLink(running) };
    });
  }

  /** The reads of neighbours(), unrun: the previous, the next and the current deployment of `key`. */
  neighbourQueries(key: EnvironmentKey, at: Date, id: number) {
    const date = this.database.sql.toDbDate(at);
    const inEnvironment = () =>
      this.db
        .selectFrom(this.database.sql.versionsThrough('idx_versions_environment_date'))
        .select(['versions_id', 'version', 'status', 'date'])
        .where('workload', '=', key.workload)
        .where('platform', '=', key.platform)
        .where('environment', '=', key.environment);
    const columns = (eb: ExpressionBuilder<Database, 'versions'>) => ({
      date: eb.ref('date'),
      id: eb.ref('versions_id'),
    });
    // `date <= d` (or `>=`) bounds the index range; the OR then orders the deployments of that same instant
    // by id, as every "newest" of the API does.
    return {
      previous: inEnvironment()
        .where('date', '<=', date)
        .where((eb) => relativeTo(eb, columns(eb), '<', { date, id }))
        .orderBy('date', 'desc')
        .orderBy('versions_id', 'desc')
        .limit(1),
      next: inEnvironment()
        .where('date', '>=', date)
        .where((eb) => relativeTo(eb, columns(eb), '>', { date, id }))
        .orderBy('date', 'asc')
        .orderBy('versions_id', 'asc')
        .limit(1),
      current: inEnvironment()
        .where('status', 'in', SUCCESSFUL)
        .orderBy('date', 'desc')
        .orderBy('versions_id', 'desc')
        .limit(1),
    };
  }

  /**
   * The changes that reached `from` (in a deployment that had a successful status) and never reached `to`
   * (no successful deployment of `to` brought that commit), newest commit first, each with the deployments
   * of `from` that brought it.
   */
  compare(from: EnvironmentKey, to: EnvironmentKey): Promise<PendingChange[]> {
    return this.database.guard(async () => {
      const rows = await this.db
        .selectFrom('versions_changes as c')
        .innerJoin('versions as v', 'v.versions_id', 'c.versions_id')
        .where('v.workload', '=', from.workload)
        .where('v.platform', '=', from.platform)
        .where('v.environment', '=', from.environment)
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('versions_status_history as h')
              .select('h.versions_id')
              .whereRef('h.versions_id', '=', 'v.versions_id')
              .where('h.status', 'in', SUCCESSFUL),
          ),
        )
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('versions_changes as t')
                .innerJoin('versions as tv', 'tv.versions_id', 't.versions_id')
                .select('t.versions_id')
                .whereRef('t.commit_sha', '=', 'c.commit_sha')
                .where('tv.workload', '=', to.workload)
                .where('tv.platform', '=', to.platform)
                .where('tv.environment', '=', to.environment)
                .where(({ exists: reached, selectFrom: from2 }) =>
                  reached(
                    from2('versions_status_history as th')
                      .select('th.versions_id')
                      .whereRef('th.versions_id', '=', 'tv.versions_id')
                      .where('th.status', 'in', SUCCESSFUL),
                  ),
                ),
            ),
          ),
        )
        .select([
          'c.commit_sha',
          'c.committed_at',
          'c.title',
          'c.author',
          'v.versions_id',
          'v.version',
          'v.date',
        ])
        .orderBy('v.date')
        .orderBy('v.versions_id')
        .orderBy('c.position')
        .execute();
      const byCommit = new Map<string, PendingChange>();
      for (const row of rows) {
        let change = byCommit.get(row.commit_sha);
        if (!change) {
          change = {
            commit: row.commit_sha,
            committedAt: parseUtcDate(row.committed_at).toISOString(),
            title: row.title,
            author: row.author,
            versions: [],
          };
          byCommit.set(row.commit_sha, change);
        }
        const id = Number(row.versions_id);
        if (!change.versions.some((version) => version.versions_id === id)) {
          change.versions.push({
            versions_id: id,
            version: row.version,
            date: parseUtcDate(row.date).toISOString(),
          });
        }
      }
      return [...byCommit.values()].sort(
        (a, b) => b.committedAt.localeCompare(a.committedAt) || a.commit.localeCompare(b.commit),
      );
    });
  }

  private async loadBatch(ids: number[], withRaw: boolean) {
    if (ids.length === 0) return [];
    const columns = [
      'versions_id',
      'workload',
      'platform',
      'environment',
      'version',
      'changelog_url',
      'status',
      'date',
    ] as const;
    const [rows, details, changes, history] = await Promise.all([
      this.db
        .selectFrom('versions')
        .select(columns)
        .$if(withRaw, (query) => query.select('raw'))
        .where('versions_id', 'in', ids)
        .execute(),
      this.db.selectFrom('versions_details').selectAll().where('versions_id', 'in', ids).execute(),
      this.db
        .selectFrom('versions_changes')
        .selectAll()
        .where('versions_id', 'in', ids)
        .orderBy('versions_id')
        .orderBy('position')
        .execute(),
      this.db
        .selectFrom('versions_status_history')
        .select(['id', 'versions_id', 'status', 'date', 'set_by', 'description', 'log_url'])
        .where('versions_id', 'in', ids)
        .orderBy('versions_id')
        .orderBy('date')
        .orderBy('id')
        .execute(),
    ]);
    const detailsOf = new Map(details.map((row) => [Number(row.versions_id), fromDetailsRow(row)]));
    const changesOf = groupBy(changes, (row) => Number(row.versions_id));
    const historyOf = groupBy(history, (row) => Number(row.versions_id));
    return rows.map((row) => {
      const id = Number(row.versions_id);
      const date = parseUtcDate(row.date).toISOString();
      const entries = historyOf.get(id) ?? [];
      // The creation entry (lowest id) comes first even when a backfilled date sorts it later.
      const creation = entries.reduce<(typeof entries)[number] | undefined>(
        (first, entry) => (first === undefined || entry.id < first.id ? entry : first),
        undefined,
      );
      const ordered = creation ? [creation, ...entries.filter((entry) => entry !== creation)] : [];
      const deployment = {
        versions_id: id,
        workload: row.workload,
        platform: row.platform,
        environment: row.environment,
        version: row.version,
        changelog_url: row.changelog_url,
        ...('raw' in row ? { raw: String(row.raw) } : {}),
        status: row.status,
        date,
        ...(detailsOf.get(id) ?? NO_DETAILS),
        changes: (changesOf.get(id) ?? []).map((change): Change => ({
          commit: change.commit_sha,
          committedAt: parseUtcDate(change.committed_at).toISOString(),
          title: change.title,
          author: change.author,
        })),
        // A row written by something that keeps no history (the Go original): its status at its date.
        history:
          ordered.length > 0
            ? ordered.map((entry): DetailedHistoryEntry => ({
                status: entry.status,
                date: parseUtcDate(entry.date).toISOString(),
                setBy: entry.set_by,
                description: entry.description,
                logURL: entry.log_url,
              }))
            : [{ status: row.status, date, setBy: null, description: null, logURL: null }],
      };
      return deployment as WholeDeployment | WholeDeploymentWithoutRaw;
    });
  }
}

function toLink(
  row: { versions_id: number | string; version: string; status: string; date: unknown } | undefined,
): DeploymentLink | null {
  if (!row) return null;
  return {
    versions_id: Number(row.versions_id),
    version: row.version,
    status: row.status,
    date: parseUtcDate(row.date).toISOString(),
  };
}

function toDetailsRow(id: number, details: NewDetails, always = false): DetailsTable | undefined {
  const row: DetailsTable = {
    versions_id: id,
    commit_sha: details.commit ?? null,
    ref: details.ref ?? null,
    repository: details.repository ?? null,
    deployer: details.deployer ?? null,
    log_url: details.logURL ?? null,
    environment_url: details.environmentURL ?? null,
    description: details.description ?? null,
  };
  const empty = Object.entries(row).every(([column, value]) => column === 'versions_id' || value === null);
  return empty && !always ? undefined : row;
}

function fromDetailsRow(row: Selectable<DetailsTable>): Details {
  return {
    commit: row.commit_sha,
    ref: row.ref,
    repository: row.repository,
    deployer: row.deployer,
    logURL: row.log_url,
    environmentURL: row.environment_url,
    description: row.description,
  };
}

function groupBy<T>(rows: T[], key: (row: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}
