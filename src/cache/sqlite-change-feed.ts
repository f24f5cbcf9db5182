import SQLite from 'better-sqlite3';
import { ChangeListeners, type ChangeFeed } from './memory-cache.js';

/**
 * SQLite's `PRAGMA data_version` changes, on one connection, whenever another connection (of this process or
 * any other) committed to the file. A connection of its own that only asks that question therefore sees every
 * commit, including this process's. It is asked before the first read of each turn of the event loop, and
 * the other reads of that turn share the answer: asking means starting a read transaction, whose locks on
 * WAL's shared-memory index are system calls (the lookup's CPU ×0.84–0.93 with one question per turn,
 * bench/README.md). Nothing acknowledged is missed: the requests read in one turn had all arrived before it
 * began, so a commit acknowledged before any of them was sent is already there at the turn's first question.
 * (This process's own writes invalidate the cache directly, memory-cache.ts.)
 */
export class SqliteDataVersionFeed extends ChangeListeners implements ChangeFeed {
  readonly live = true;
  private readonly connection: SQLite.Database;
  private readonly dataVersion: SQLite.Statement<[], number>;
  private version: number;
  /** Asked in this turn already; cleared by setImmediate, which runs after the turn's I/O callbacks. */
  private checked = false;

  constructor(file: string) {
    super();
    // Never writes; not opened read-only, which in WAL mode fails while no other connection has the file open.
    this.connection = new SQLite(file, { fileMustExist: true });
    this.dataVersion = this.connection.prepare<[], number>('PRAGMA data_version').pluck();
    this.version = this.dataVersion.get()!;
  }

  check(): void {
    if (this.checked) return;
    this.checked = true;
    setImmediate(() => {
      this.checked = false;
    });
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
