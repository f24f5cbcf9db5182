// PostgreSQL runs every query with parameters as a named prepared statement, one per SQL text and connection
// (src/store/dialects/postgres.ts). What that must not break: a DDL that changes a statement's result
// columns under it (a migration run by another replica), inside a transaction or not, and the backend's
// memory when texts vary without end.
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreConnection } from '../../src/store/dialects/dialect.js';
import { openPostgres, postgresDialect } from '../../src/store/dialects/postgres.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { captureLogs } from '../helpers/test-app.js';

// The table is the test's own, outside the service's schema type.
type AnyDb = Kysely<Record<string, Record<string, unknown>>>;

describe.skipIf(!DIALECTS.includes('postgres'))('PostgreSQL named prepared statements', () => {
  let database: TestDatabase;
  let connection: StoreConnection;
  let db: AnyDb;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    if (database.config.dialect !== 'postgres') throw new Error('not postgres');
    connection = openPostgres(database.config.connectionString, captureLogs().logger);
    db = connection.db as unknown as AnyDb;
  });

  afterAll(async () => {
    await connection?.close().catch(() => undefined);
    await database?.drop();
  });

  /** The named statements this connection holds, as the backend lists them. */
  const prepared = async (connection: AnyDb) =>
    (
      await sql<{
        name: string;
        statement: string;
      }>`SELECT name, statement FROM pg_prepared_statements`.execute(connection)
    ).rows;

  it('prepares a query with parameters once per connection, under one name', async () => {
    await db.connection().execute(async (connection) => {
      for (let run = 0; run < 3; run++) {
        const { rows } = await sql<{ answer: number }>`SELECT ${41}::int + 1 AS answer`.execute(connection);
        expect(rows).toEqual([{ answer: 42 }]);
      }
      const statements = (await prepared(connection)).filter(({ statement }) =>
        statement.includes('AS answer'),
      );
      expect(statements).toHaveLength(1);
      expect(statements[0]?.name).toMatch(/^versions_\d+$/);
    });
  });

  it('answers with the new columns after an ALTER TABLE adds one, outside a transaction', async () => {
    await db.connection().execute(async (connection) => {
      await sql`CREATE TABLE outside_tx (id int PRIMARY KEY, name text)`.execute(connection);
      await sql`INSERT INTO outside_tx VALUES (1, 'one')`.execute(connection);
      const select = () => sql`SELECT * FROM outside_tx WHERE id = ${1}`.execute(connection);
      expect((await select()).rows).toEqual([{ id: 1, name: 'one' }]);
      // Without the retry, PostgreSQL answers "cached plan must not change result type".
      await sql`ALTER TABLE outside_tx ADD COLUMN added text DEFAULT 'new'`.execute(connection);
      expect((await select()).rows).toEqual([{ id: 1, name: 'one', added: 'new' }]);
      expect((await select()).rows).toEqual([{ id: 1, name: 'one', added: 'new' }]);
    });
  });

  it('fails a transaction caught by such a DDL as retryable, and its next run answers', async () => {
    await db.connection().execute(async (connection) => {
      await sql`CREATE TABLE inside_tx (id int PRIMARY KEY, name text)`.execute(connection);
      await sql`INSERT INTO inside_tx VALUES (1, 'one')`.execute(connection);
      const select = () => sql`SELECT * FROM inside_tx WHERE id = ${1}`.execute(connection);
      await select();
      // Another connection changes the table, as a migration of another replica would.
      await sql`ALTER TABLE inside_tx ADD COLUMN added int DEFAULT 7`.execute(db);
      await sql`BEGIN`.execute(connection);
      const error = await select().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      await sql`ROLLBACK`.execute(connection);
      expect((error as Error | undefined)?.message).toMatch(/cached plan must not change result type/);
      expect(postgresDialect.errors.isRetryable(error)).toBe(true);
      await sql`BEGIN`.execute(connection);
      expect((await select()).rows).toEqual([{ id: 1, name: 'one', added: 7 }]);
      await sql`COMMIT`.execute(connection);
    });
  });

  it('keeps at most 256 statements per connection, the least recently used deallocated', async () => {
    await db.connection().execute(async (connection) => {
      const kept = async () =>
        (await prepared(connection)).filter(({ statement }) => statement.includes('AS n'));
      const first = sql`SELECT ${0}::int AS n0`;
      await first.execute(connection);
      for (let text = 1; text <= 300; text++) {
        // 300 distinct texts, as an IN list as long as its input would make; the first one stays in use.
        await sql`SELECT ${text}::int AS ${sql.raw(`n${text}`)}`.execute(connection);
        if (text % 100 === 0) await first.execute(connection);
      }
      const statements = await kept();
      expect(statements.length).toBeLessThanOrEqual(256);
      expect(statements.length).toBeGreaterThan(200);
      expect(statements.some(({ statement }) => statement.includes('AS n0'))).toBe(true);
      expect(
        statements.some(({ statement }) => statement.includes('AS n1\n') || statement.endsWith('AS n1')),
      ).toBe(false);
      // A deallocated text is prepared again under a new name when it comes back.
      const { rows } = await sql<{ n1: number }>`SELECT ${1}::int AS n1`.execute(connection);
      expect(rows).toEqual([{ n1: 1 }]);
    });
  });
});
