import SQLite from 'better-sqlite3';
import { ChangeListeners, type ChangeFeed } from './memory-cache.js';

/**
 * SQLite's `PRAGMA data_version` changes, on one connection, whenever another connection (of this process or
 * any other) committed to the file. A connection of its own that only asks that question therefore sees every
 * commit, including this process's. It is checked before every read: one call into SQLite, no I/O beyond the
 * shared-memory index that WAL mode keeps anyway.
 */
export class SqliteDataVersionFeed extends ChangeListeners implements ChangeFeed {
  readonly live = true;
  private readonly connection: SQLite.Database;
  private readonly dataVersion: SQLite.Statement<[], number>;
  private version: number;

  constructor(file: string) {
    super();
    // Never writes; not opened read-only, which in WAL mode fails while no other connection has the file open.
    this.connection = new SQLite(file, { fileMustExist: true });
    this.dataVersion = this.connection.prepare<[], number>('PRAGMA data_version').pluck();
    this.version = this.dataVersion.get()!;
  }

  check(): void {
    const version = this.dataVersion.get()!;
    if (version !== this.version) {
      this.version = version;
      this.changed();
    }
  }

  async close(): Promise<void> {
    this.connection.close();
  }
}
