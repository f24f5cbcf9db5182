// The baseline: the Go original's design rebuilt, a node:http server that opens a new database connection
// for every request and runs the original's latest-version query on a table with only the original's
// single-column indexes. The original ran on PostgreSQL and MySQL; argv[2] is the database's config.
import { createServer } from 'node:http';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DatabaseConfig } from '../src/config.js';
import { numberedPlaceholders, ORIGINAL_LOOKUP_SQL } from './lookup.js';

const config = JSON.parse(process.argv[2] ?? '{}') as DatabaseConfig;

async function latestVersion(key: string[]): Promise<string | undefined> {
  switch (config.dialect) {
    case 'postgres': {
      const client = new pg.Client({ connectionString: config.connectionString });
      await client.connect();
      try {
        const result = await client.query<{ version: string }>(
          numberedPlaceholders(ORIGINAL_LOOKUP_SQL),
          key,
        );
        return result.rows[0]?.version;
      } finally {
        await client.end();
      }
    }
    case 'mysql': {
      const connection = await mysql.createConnection({ ...config.mysql, ssl: undefined });
      try {
        const [rows] = await connection.query(ORIGINAL_LOOKUP_SQL, key);
        return (rows as Array<{ version: string }>)[0]?.version;
      } finally {
        await connection.end();
      }
    }
    default:
      throw new Error(`the original did not run on ${config.dialect}`);
  }
}

const server = createServer((request, response) => {
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
  const key = ['workload', 'platform', 'environment'].map((name) => query.get(name) ?? '');
  latestVersion(key).then(
    (version) => {
      response.writeHead(version === undefined ? 404 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(version === undefined ? { error: 'not found' } : { version }));
    },
    (error: Error) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: error.message }));
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address?.port })}\n`);
});
