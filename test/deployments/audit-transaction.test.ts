// The audit row of a write is written in the write's own transaction (or batch, or statement), on every
// dialect: both are there or neither. Failures are real ones: a table the statement needs is renamed away
// for a moment, so that the database itself refuses the statement.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const env = { workload: 'atomic', platform: 'production', environment: 'eu' };

describe.each(DIALECTS)('the audit log and its write, on %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  const db = () => t.storeDatabase.db;
  const create = (payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/v1/create', payload: { ...env, ...payload } });
  const setStatus = (versionId: number, status: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/update/status', payload: { versionId, status } });
  const remove = (versionId: number) =>
    t.app.inject({ method: 'DELETE', url: `/api/v1/deployments/${versionId}` });

  /** Every audit row, oldest first. */
  const auditRows = async () =>
    (
      await sql<{
        action: string;
        versions_id: number;
        deployment: string;
      }>`SELECT action, versions_id, deployment FROM versions_audit ORDER BY id`.execute(db())
    ).rows.map((row) => ({ ...row, versions_id: Number(row.versions_id) }));
  const versions = async () =>
    (await db().selectFrom('versions').select(['versions_id', 'version', 'status']).execute()).map((row) => ({
      ...row,
      versions_id: Number(row.versions_id),
    }));
  const count = async () =>
    Number(
      (
        await db()
          .selectFrom('versions_environments')
          .select('deployments')
          .where('workload', '=', env.workload)
          .executeTakeFirst()
      )?.deployments ?? 0,
    );

  /** Runs `work` with `table` missing, so that any statement on it fails; puts it back after. */
  async function without<T>(table: string, work: () => Promise<T>): Promise<T> {
    await sql`ALTER TABLE ${sql.table(table)} RENAME TO ${sql.table(`${table}_away`)}`.execute(db());
    try {
      return await work();
    } finally {
      await sql`ALTER TABLE ${sql.table(`${table}_away`)} RENAME TO ${sql.table(table)}`.execute(db());
    }
  }

  it('audits every write with the id of the deployment it wrote, concurrent creates included', async () => {
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        // Half go through the batch (or single statement), half through the transaction that writes details.
        create({ version: `1.0.${index}`, ...(index % 2 ? { commit: `abc${index}def` } : {}) }),
      ),
    );
    const ids = responses.map((response) => {
      expect(response.statusCode, response.body).toBe(201);
      return Number(response.json().versionId);
    });
    expect((await setStatus(ids[0]!, 'failed')).statusCode).toBe(200);
    expect((await remove(ids[1]!)).statusCode).toBe(200);

    const rows = await auditRows();
    const created = rows.filter((row) => row.action === 'created');
    expect(created.map((row) => row.versions_id).sort((a, b) => a - b)).toEqual(
      [...ids].sort((a, b) => a - b),
    );
    for (const row of created) {
      // The log's deployment is the one its id names, not a neighbour written at the same moment.
      const index = ids.indexOf(row.versions_id);
      expect(JSON.parse(row.deployment)).toMatchObject({ version: `1.0.${index}`, ...env });
    }
    expect(rows.filter((row) => row.action !== 'created')).toEqual([
      expect.objectContaining({ action: 'status', versions_id: ids[0] }),
      expect.objectContaining({ action: 'deleted', versions_id: ids[1] }),
    ]);
    const page = (
      await t.app.inject({ method: 'GET', url: '/api/v1/audit', query: { limit: '1000' } })
    ).json();
    for (const entry of page.items) expect(entry.deployment.versions_id).toBe(entry.versionId);
  });

  it('rolls a write back when its audit row cannot be written', async () => {
    const kept = Number((await create({ version: '2.0.0', status: 'ongoing' })).json().versionId);
    const before = { versions: await versions(), audit: await auditRows(), count: await count() };
    await without('versions_audit', async () => {
      expect((await create({ version: '2.0.1' })).statusCode).toBeGreaterThanOrEqual(500);
      expect((await create({ version: '2.0.2', commit: 'feedbeef' })).statusCode).toBeGreaterThanOrEqual(500);
      expect((await setStatus(kept, 'deployed')).statusCode).toBeGreaterThanOrEqual(500);
      expect((await remove(kept)).statusCode).toBeGreaterThanOrEqual(500);
    });
    expect(await versions()).toEqual(before.versions);
    expect(await count()).toBe(before.count);
    expect(await auditRows()).toEqual(before.audit);
    // Nothing is left half-done: the same writes succeed once the table is back, audited once each.
    expect((await setStatus(kept, 'deployed')).statusCode).toBe(200);
    expect((await auditRows()).slice(before.audit.length)).toEqual([
      expect.objectContaining({ action: 'status', versions_id: kept }),
    ]);
  });

  it('leaves no audit row when the write fails after the audit statement', async () => {
    const kept = Number((await create({ version: '3.0.0' })).json().versionId);
    const before = { versions: await versions(), audit: await auditRows() };
    // The environment's count is written after the audit row by a create's batch, and after it by a delete.
    await without('versions_environments', async () => {
      expect((await create({ version: '3.0.1' })).statusCode).toBeGreaterThanOrEqual(500);
      expect((await remove(kept)).statusCode).toBeGreaterThanOrEqual(500);
    });
    expect(await versions()).toEqual(before.versions);
    expect(await auditRows()).toEqual(before.audit);
  });
});
