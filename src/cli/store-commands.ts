// `versions copy` and `versions backup`: commands on the store itself rather than on a server. The store's
// modules are imported on demand, so that the pipeline commands never load the database drivers.
import { ConfigError, loadConfig, type DatabaseConfig } from '../config.js';
import type { Command } from './commands.js';
import { requiredOption, stringOption, UsageError } from './usage.js';

const copy: Command = {
  name: 'copy',
  summary: 'copy a SQLite store into an empty PostgreSQL or MySQL/MariaDB database',
  help: `Usage: versions copy --from sqlite:PATH --to DATABASE [--to-driver postgres|mysql]

Copies every deployment, with its id, status history, details and counts, from a SQLite store into a
PostgreSQL or MySQL/MariaDB database: the way to outgrow the embedded default without losing a row.
The target is migrated first and must hold no deployment yet; the copy is one transaction, so a failed
copy leaves it empty. Ids keep their values and new ids continue after them. The row counts of both
sides are compared at the end. A server may keep running on the SQLite file: the copy is the store as
it was when the copy began (stop the server, or its writes after that moment are not copied).

Options:
  --from sqlite:PATH   the SQLite file (DB_URI of a server with SQL_DRIVER=sqlite) (required)
  --to DATABASE        postgres://user:pass@host:5432/db, mysql://user:pass@host:3306/db, or the Go
                       driver's DSN user:pass@tcp(host:3306)/db with --to-driver mysql (required)
  --to-driver D        postgres or mysql (mariadb): needed only when --to is a Go DSN
  -h, --help           this help

Exit codes: 0 copied and counts equal, 1 refused or failed (the target keeps no copied row), 2 usage error.

Example:
  versions copy --from sqlite:/var/lib/versions/versions.sqlite \\
    --to 'postgres://versions:secret@db:5432/versions?sslmode=disable'`,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    'to-driver': { type: 'string' },
  },
  positionals: [],
  talksToServer: false,
  async run({ values, print }) {
    const from = requiredOption(values, 'from', 'copy');
    if (!from.startsWith('sqlite:') || from.length === 'sqlite:'.length) {
      throw new UsageError(`--from must be sqlite:PATH (the SQLite file to copy), not '${from}'`, 'copy');
    }
    const source = databaseFrom('sqlite', from.slice('sqlite:'.length), '--from');
    if (source.dialect !== 'sqlite') throw new UsageError('--from must be a SQLite file', 'copy');
    const to = requiredOption(values, 'to', 'copy');
    const target = databaseFrom(targetDriver(to, stringOption(values, 'to-driver')), to, '--to');
    if (target.dialect === 'sqlite') {
      throw new UsageError(
        '--to must be PostgreSQL or MySQL/MariaDB (a SQLite store is copied with `versions backup`)',
        'copy',
      );
    }

    const { copyStore } = await import('../store/copy-store.js');
    const { createLogger } = await import('../logger.js');
    const report = await copyStore({
      sourceFile: source.file,
      target,
      // Migrations and warnings as JSON lines on stderr, like the server's; the result on stdout.
      log: createLogger('warn', process.stderr),
    });
    for (const { table, rows } of report) print(`${table}: ${rows} rows copied`);
    const deployments = report.find((entry) => entry.table === 'versions')?.rows ?? 0;
    print(`copied ${deployments} deployments; row counts equal in every table`);
  },
};

const backup: Command = {
  name: 'backup',
  summary: 'write a consistent copy of the SQLite store that DB_URI names',
  help: `Usage: versions backup FILE

Writes a consistent copy of the SQLite store named by DB_URI (with SQL_DRIVER=sqlite, the default;
data/versions.sqlite when DB_URI is unset) to FILE, through SQLite's online backup API: the server may
keep running and writing, the copy is the store at one moment. FILE must not exist yet. Start a server
on the copy (DB_URI=FILE) to restore it. PostgreSQL and MySQL/MariaDB are backed up with their own tools
(pg_dump, mariadb-dump).

Options:
  -h, --help           this help

Exit codes: 0 written, 1 failed (no FILE is left behind), 2 usage error.

Example:
  DB_URI=/var/lib/versions/versions.sqlite versions backup /backups/versions-$(date +%F).sqlite`,
  options: {},
  positionals: ['FILE'],
  talksToServer: false,
  async run({ positionals, env, print }) {
    const [file = ''] = positionals;
    if (file.trim() === '') throw new UsageError('FILE must not be empty', 'backup');
    let database: DatabaseConfig;
    try {
      database = loadConfig(env).database;
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message, 'backup');
      throw error;
    }
    if (database.dialect !== 'sqlite' || database.file === ':memory:') {
      throw new UsageError(
        'backup copies a SQLite store (SQL_DRIVER=sqlite, DB_URI=its file); back up PostgreSQL with pg_dump and MySQL/MariaDB with mariadb-dump',
        'backup',
      );
    }
    const { backupSqlite } = await import('../store/backup-sqlite.js');
    const report = await backupSqlite(database.file, file);
    print(`backed up ${database.file} to ${file}: ${report.deployments} deployments, ${report.pages} pages`);
  },
};

export const STORE_COMMANDS: readonly Command[] = [copy, backup];

/** The driver of --to: from its scheme, else --to-driver (a Go DSN has no scheme). */
function targetDriver(to: string, driver: string | undefined): string {
  if (driver !== undefined) {
    const name = driver.trim().toLowerCase();
    if (!['postgres', 'postgresql', 'mysql', 'mariadb'].includes(name)) {
      throw new UsageError(`--to-driver must be postgres or mysql, not '${driver}'`, 'copy');
    }
    return name;
  }
  if (/^postgres(ql)?:\/\//i.test(to)) return 'postgres';
  if (/^(mysql|mariadb):\/\//i.test(to)) return 'mysql';
  throw new UsageError(
    '--to must start with postgres:// or mysql://; for a Go DSN (user:pass@tcp(host:3306)/db) add --to-driver mysql',
    'copy',
  );
}

/** A database address parsed exactly as the server parses SQL_DRIVER and DB_URI. */
function databaseFrom(driver: string, uri: string, option: string): DatabaseConfig {
  try {
    return loadConfig({ SQL_DRIVER: driver, DB_URI: uri }).database;
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new UsageError(`${option}: ${error.message.replace(/DB_URI/g, option)}`, 'copy');
    }
    throw error;
  }
}
