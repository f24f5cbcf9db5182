// `versions copy`: every row of a SQLite store into an empty PostgreSQL or MySQL/MariaDB one, for a team that
// outgrows the embedded default. The tables are found by introspection, not listed here, so a table that a
// later migration adds is copied without anyone remembering to add it.
import { existsSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DatabaseConfig, DialectName } from '../config.js';
import { parseUtcDate } from './dialects/index.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from './migrate.js';
import { StoreDatabase } from './database.js';

/** Tables of the migrators (Kysely's, and golang-migrate's kept for the Go original), which each side fills itself. */
const BOOKKEEPING_TABLES = new Set([MIGRATION_TABLE, MIGRATION_LOCK_TABLE, 'schema_migrations']);

/** Rows per INSERT: well under the 65,535 bind parameters that PostgreSQL and MySQL allow in one statement. */
const PARAMETERS_PER_BATCH = 20_000;
const MAX_ROWS_PER_BATCH = 1000;

/** The tables are found at run time, like a migration's: no compile-time schema to type them with. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type UntypedDb = Kysely<any>;

/** What was copied: each table with its number of rows, in the order copied. */
export type CopyReport = Array<{ table: string; rows: number }>;

/** The copy cannot start or did not end with the same rows on both sides; nothing half-copied is committed. */
export class CopyError extends Error {}

interface Table {
  name: string;
  columns: string[];
  /** Columns of the target that hold a date, given to it as the target's driver wants dates. */
  dateColumns: Set<string>;
  autoIncrement: string | undefined;
}

/**
 * Migrates the target, then copies every table of the SQLite file into it in one transaction (ids kept),
 * sets its id counters past the copied ids and compares the row counts. Refuses a target that already holds
 * rows. The source is read in one read transaction: a server may keep writing to it meanwhile, and the copy is
 * the store as it was when the copy began.
 */
export async function copyStore(options: {
  sourceFile: string;
  target: Exclude<DatabaseConfig, { dialect: 'sqlite' }>;
  log: Logger;
  /** Called after each batch and table, for progress lines. */
  progress?: (line: string) => void;
  /** How long to wait for the target database to answer. */
  waitSeconds?: number;
}): Promise<CopyReport> {
  const { sourceFile, target: targetConfig, log, progress = () => undefined } = options;
  // openSqlite would create a missing file: a typo in the path must not "copy" an empty store.
  if (!existsSync(sourceFile)) throw new CopyError(`the SQLite file ${sourceFile} does not exist`);
  const source = await StoreDatabase.open({ dialect: 'sqlite', file: sourceFile }, log, 0);
  try {
    const target = await StoreDatabase.open(targetConfig, log, options.waitSeconds ?? 10);
    try {
      return await copyTables(source, target, progress);
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

async function copyTables(
  source: StoreDatabase,
  target: StoreDatabase,
  progress: (line: string) => void,
): Promise<CopyReport> {
  const sourceDb = source.db as unknown as UntypedDb;
  const targetDb = target.db as unknown as UntypedDb;
  const tables = await tablesToCopy(sourceDb, targetDb);

  for (const table of tables) {
    const rows = await countRows(targetDb, table.name);
    if (rows > 0) {
      const what = table.name === 'versions' ? `${rows} deployments` : `${rows} rows in ${table.name}`;
      throw new CopyError(`the target already holds ${what}: copy only into an empty database`);
    }
  }

  // One read transaction on SQLite: a consistent snapshot whatever a running server writes meanwhile.
  return sourceDb
    .transaction()
    .setAccessMode('read only')
    .execute(async (reader) => {
      const report: CopyReport = [];
      await targetDb.transaction().execute(async (writer) => {
        for (const table of tables) {
          const rows = await copyTable(reader, writer, table, target, (done) =>
            progress(`${table.name}: ${done} rows`),
          );
          report.push({ table: table.name, rows });
        }
      });
      // After the commit: MySQL's ALTER TABLE would commit the transaction by itself anyway.
      for (const table of tables) {
        if (table.autoIncrement)
          await RESET_COUNTER[target.dialect.name](targetDb, table.name, table.autoIncrement);
      }
      for (const table of tables) {
        const [copied, expected] = await Promise.all([
          countRows(targetDb, table.name),
          countRows(reader, table.name),
        ]);
        if (copied !== expected) {
          throw new CopyError(`${table.name} has ${copied} rows in the target but ${expected} in the source`);
        }
      }
      return report;
    });
}

/** Every table of the service on both sides, parents before the tables whose foreign keys point at them. */
async function tablesToCopy(sourceDb: UntypedDb, targetDb: UntypedDb): Promise<Table[]> {
  const sourceTables = (await sourceDb.introspection.getTables()).filter(
    (table) => !table.isView && !BOOKKEEPING_TABLES.has(table.name),
  );
  const targetTables = await targetDb.introspection.getTables();
  const tables: Table[] = [];
  for (const sourceTable of sourceTables) {
    // PostgreSQL lists every schema; the service's tables are in the connection's own (public by default).
    const candidates = targetTables.filter((table) => table.name === sourceTable.name && !table.isView);
    const targetTable = candidates.find((table) => table.schema === 'public') ?? candidates[0];
    if (!targetTable) {
      throw new CopyError(`the target has no table ${sourceTable.name} after its migrations (is it older?)`);
    }
    const targetColumns = new Map(targetTable.columns.map((column) => [column.name, column]));
    const missing = sourceTable.columns.filter((column) => !targetColumns.has(column.name));
    if (missing.length > 0) {
      throw new CopyError(
        `the target's ${sourceTable.name} has no column ${missing.map((column) => column.name).join(', ')}`,
      );
    }
    tables.push({
      name: sourceTable.name,
      columns: sourceTable.columns.map((column) => column.name),
      dateColumns: new Set(
        targetTable.columns
          .filter((column) => /^(timestamp|timestamptz|datetime|date)$/i.test(column.dataType))
          .map((column) => column.name),
      ),
      autoIncrement: targetTable.columns.find((column) => column.isAutoIncrementing)?.name,
    });
  }
  return inDependencyOrder(sourceDb, tables);
}

/** Sorts tables so that each comes after the tables its foreign keys reference (SQLite's own catalogue). */
async function inDependencyOrder(sourceDb: UntypedDb, tables: Table[]): Promise<Table[]> {
  const parents = new Map<string, string[]>();
  for (const table of tables) {
    const { rows } = await sql<{
      table: string;
    }>`SELECT "table" FROM pragma_foreign_key_list(${table.name})`.execute(sourceDb);
    parents.set(
      table.name,
      rows.map((row) => row.table).filter((parent) => parent !== table.name),
    );
  }
  const ordered: Table[] = [];
  const placed = new Set<string>();
  const visit = (table: Table, path: string[]) => {
    if (placed.has(table.name)) return;
    if (path.includes(table.name)) throw new CopyError(`foreign keys form a cycle: ${path.join(' → ')}`);
    for (const parent of parents.get(table.name) ?? []) {
      const parentTable = tables.find((candidate) => candidate.name === parent);
      if (parentTable) visit(parentTable, [...path, table.name]);
    }
    placed.add(table.name);
    ordered.push(table);
  };
  for (const table of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(table, []);
  return ordered;
}

/** Copies one table in batches, read in rowid order (the order they were written), and returns its row count. */
async function copyTable(
  reader: UntypedDb,
  writer: UntypedDb,
  table: Table,
  target: StoreDatabase,
  progress: (rows: number) => void,
): Promise<number> {
  const batchSize = Math.max(
    1,
    Math.min(MAX_ROWS_PER_BATCH, Math.floor(PARAMETERS_PER_BATCH / table.columns.length)),
  );
  const columns = sql.join(table.columns.map((column) => sql.ref(column)));
  let copied = 0;
  let lastRowid = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const { rows } = await sql<Record<string, unknown> & { copy_rowid: number }>`
      SELECT rowid AS copy_rowid, ${columns} FROM ${sql.table(table.name)}
      WHERE rowid > ${lastRowid} ORDER BY rowid LIMIT ${batchSize}`.execute(reader);
    if (rows.length === 0) break;
    lastRowid = rows[rows.length - 1]!.copy_rowid;
    const values = rows.map((row) =>
      Object.fromEntries(
        table.columns.map((column) => {
          const value = row[column];
          // SQLite keeps dates as ISO text; each server gets them as its own driver must (UTC kept).
          const converted =
            table.dateColumns.has(column) && value !== null && value !== undefined
              ? target.sql.toDbDate(parseUtcDate(value))
              : value;
          return [column, converted];
        }),
      ),
    );
    await writer.insertInto(table.name).values(values).execute();
    copied += rows.length;
    progress(copied);
  }
  return copied;
}

async function countRows(db: UntypedDb, table: string): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('rows'))
    .executeTakeFirstOrThrow();
  return Number(row.rows);
}

/**
 * Moves a table's id counter past the copied ids, so that the next create does not collide with a copied
 * row. The copy's only database-specific statements: they exist nowhere else in the service.
 */
const RESET_COUNTER: Record<DialectName, (db: UntypedDb, table: string, column: string) => Promise<void>> = {
  postgres: async (db, table, column) => {
    await sql`SELECT setval(pg_get_serial_sequence(${table}, ${column}),
      COALESCE((SELECT MAX(${sql.ref(column)}) FROM ${sql.table(table)}), 0) + 1, false)`.execute(db);
  },
  mysql: async (db, table, column) => {
    const [row] = await db
      .selectFrom(table)
      .select((eb) => eb.fn.max(column).as('last'))
      .execute();
    const next = Number(row?.last ?? 0) + 1;
    // ALTER TABLE takes no bind parameter; `next` is an integer computed here.
    await sql`ALTER TABLE ${sql.table(table)} AUTO_INCREMENT = ${sql.lit(next)}`.execute(db);
  },
  // SQLite is never a target of the copy; its AUTOINCREMENT follows the largest id by itself.
  sqlite: async () => undefined,
};
