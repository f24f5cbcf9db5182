// `versions backup`: a consistent copy of a SQLite store that a server may be writing to right now, through
// SQLite's online backup API (better-sqlite3's backup()), never by copying the file and its WAL by hand.
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import SQLite from 'better-sqlite3';

export class BackupError extends Error {}

export interface BackupReport {
  pages: number;
  deployments: number;
}

/**
 * Writes a copy of `sourceFile` to `destination` (which must not exist yet), as one snapshot: the first step
 * copies a few pages, the next all the rest at once, so a write by the server in between only restarts the
 * copy (SQLite does so by itself) and never mixes two states. The file appears only once complete.
 */
export async function backupSqlite(sourceFile: string, destination: string): Promise<BackupReport> {
  if (!existsSync(sourceFile)) throw new BackupError(`the SQLite file ${sourceFile} does not exist`);
  if (existsSync(destination)) throw new BackupError(`${destination} already exists; choose a new file name`);
  const source = new SQLite(sourceFile, { fileMustExist: true });
  const partial = `${destination}.partial`;
  try {
    // The server may hold the write lock for a moment (a checkpoint, a migration).
    source.pragma('busy_timeout = 15000');
    const { totalPages } = await source.backup(partial, {
      progress: ({ remainingPages }) => remainingPages,
    });
    // Not read-only: the copy is in WAL mode like its source, and a writable connection removes its -wal and
    // -shm files on close, leaving the one file to rename.
    const copy = new SQLite(partial);
    let deployments: number;
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new BackupError(`the copy fails SQLite's check: ${String(check)}`);
      deployments = hasVersions(copy)
        ? Number(copy.prepare('SELECT COUNT(*) FROM versions').pluck().get())
        : 0;
    } finally {
      copy.close();
    }
    await rename(partial, destination);
    return { pages: totalPages, deployments };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
}

function hasVersions(db: SQLite.Database): boolean {
  return (
    db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'versions'`).get() !== undefined
  );
}
