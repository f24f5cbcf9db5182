// A child process of the bench that creates and fills one database, then prints it as JSON on stdout.
// Each fill runs in a process of its own: SQLite's load is synchronous and would stall the others.
import type { DialectName } from '../src/config.js';
import { createBenchDatabase } from './databases.js';

const [dialect, rows, withOriginal] = process.argv.slice(2);
const database = await createBenchDatabase(dialect as DialectName, Number(rows), withOriginal === 'original');
process.stdout.write(`${JSON.stringify(database)}\n`);
