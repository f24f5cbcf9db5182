// The ceiling a Node service can reach on the same driver (issue 15): node:http, the query string parsed,
// one prepared statement, the answer as JSON, nothing else (no framework, no validation, no log, no
// metrics, no cache). better-sqlite3 on SQLite; on PostgreSQL a pg pool and a named prepared statement.
// argv[2] is the database's config, argv[3] the pool size.
import { createServer, type ServerResponse } from 'node:http';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { DatabaseConfig } from '../src/config.js';
import { lookupSql, numberedPlaceholders } from './lookup.js';

const config = JSON.parse(process.argv[2] ?? '{}') as DatabaseConfig;
const poolSize = Number(process.argv[3] ?? 10);
const SUCCESSFUL = ['deployed', 'completed'];

function answer(response: ServerResponse, version: string | undefined): void {
  const body = version === undefined ? '{"error":"not found"}' : JSON.stringify({ version });
  response.writeHead(version === undefined ? 404 : 200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function lookup(): (key: string[], reply: (version: string | undefined) => void) => void {
  switch (config.dialect) {
    case 'sqlite': {
      const statement = new SQLite(config.file, { readonly: true })
        .prepare<unknown[], string>(lookupSql('sqlite'))
        .pluck();
      return (key, reply) => reply(statement.get(...key, ...SUCCESSFUL, 1));
    }
    case 'postgres': {
      const pool = new pg.Pool({ connectionString: config.connectionString, max: poolSize });
      const text = numberedPlaceholders(lookupSql('postgres'));
      return (key, reply) => {
        pool.query<{ version: string }>(
          { name: 'latest-version', text, values: [...key, ...SUCCESSFUL, 1] },
          (error, result) => reply(error ? undefined : result.rows[0]?.version),
        );
      };
    }
    default:
      throw new Error(`no hand-written service for ${config.dialect}`);
  }
}

const latest = lookup();
const server = createServer((request, response) => {
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
  const key = [query.get('workload') ?? '', query.get('platform') ?? '', query.get('environment') ?? ''];
  latest(key, (version) => answer(response, version));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address?.port })}\n`);
});
