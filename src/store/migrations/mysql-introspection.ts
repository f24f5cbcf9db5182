// What MySQL's information_schema says of a table of the current database, for migrations that check whether
// a step is already done (MySQL's DDL is not transactional). Migrations rely on it: change nothing it returns.
import { sql, type Kysely } from 'kysely';

export interface ColumnInfo {
  /** COLUMN_TYPE, lower-cased: `datetime(3)`, `longtext`, `varchar(100)`... */
  type: string;
  nullable: boolean;
}

/** The column's type and nullability; undefined when the table has no such column. */
export async function columnOf(
  db: Kysely<any>,
  table: string,
  column: string,
): Promise<ColumnInfo | undefined> {
  const { rows } = await sql<{ type: string; nullable: string }>`
    SELECT COLUMN_TYPE AS type, IS_NULLABLE AS nullable FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = ${table} AND column_name = ${column}`.execute(db);
  const row = rows[0];
  return row && { type: String(row.type).toLowerCase(), nullable: row.nullable === 'YES' };
}

/** The table's default collation (utf8mb4_bin...). */
export async function tableCollation(db: Kysely<any>, table: string): Promise<string | undefined> {
  const { rows } = await sql<{ collation: string }>`
    SELECT TABLE_COLLATION AS collation FROM information_schema.tables
    WHERE table_schema = DATABASE() AND table_name = ${table}`.execute(db);
  return rows[0]?.collation;
}
