// MySQL only, fixing what the original's table got wrong without losing data. Frozen: never edit, except to
// make a step that could not finish finish (see below): a database that ran this migration never runs it again.
// - TIMESTAMP ends in 2038: the date becomes DATETIME(3). The original's sessions ran in the server's
//   time zone and its API returned that wall-clock time as UTC, so the conversion runs in that same zone:
//   every date reads back exactly as the original showed it.
// - TEXT holds 64 KiB: raw payloads (build manifests...) become LONGTEXT.
// - utf8 is 3-byte: the table becomes utf8mb4 so that emoji and every other character fit; the binary
//   collation compares names exactly, as PostgreSQL and SQLite do.
// MySQL's DDL is not transactional: a start that fails between two steps leaves the earlier ones done. Each
// step therefore checks whether it is already done, and the next start carries on from the first one that is not.
// The original's raw column was `text DEFAULT NULL` until its own migration 2 made it NOT NULL, which stops on a
// NULL row under strict mode: such rows become '' first, as that migration made them where it could run.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../config.js';
import { columnOf, tableCollation } from './mysql-introspection.js';

export interface ConversionStep {
  name: string;
  isDone(db: Kysely<any>): Promise<boolean>;
  run(db: Kysely<any>): Promise<void>;
}

/** The conversion, step by step, in order; exported so that a test can stop between two of them. */
export const STEPS: ConversionStep[] = [
  {
    name: 'date becomes DATETIME(3)',
    async isDone(db) {
      const date = await columnOf(db, 'versions', 'date');
      return date?.type === 'datetime(3)';
    },
    async run(db) {
      await db.connection().execute(async (connection) => {
        await sql`SET time_zone = @@global.time_zone`.execute(connection);
        try {
          await sql`ALTER TABLE versions MODIFY date DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`.execute(
            connection,
          );
        } finally {
          await sql`SET time_zone = '+00:00'`.execute(connection);
        }
      });
    },
  },
  {
    name: 'table becomes utf8mb4',
    isDone: async (db) => (await tableCollation(db, 'versions')) === 'utf8mb4_bin',
    async run(db) {
      await sql`ALTER TABLE versions CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`.execute(db);
    },
  },
  {
    name: 'raw becomes LONGTEXT NOT NULL',
    async isDone(db) {
      const raw = await columnOf(db, 'versions', 'raw');
      return raw?.type === 'longtext' && !raw.nullable;
    },
    async run(db) {
      await sql`UPDATE versions SET raw = '' WHERE raw IS NULL`.execute(db);
      await sql`ALTER TABLE versions MODIFY raw LONGTEXT NOT NULL`.execute(db);
    },
  },
];

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect !== 'mysql') return;
  for (const step of STEPS) {
    if (!(await step.isDone(db))) await step.run(db);
  }
}
