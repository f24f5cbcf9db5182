// Checks once per run that PostgreSQL, MariaDB and Redis answer. In CI a missing server fails the run; on a
// laptop its dialect (or the Redis suites) is skipped, loudly. Also finds the Chromium of the browser tests.
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import type { DialectName } from '../../src/config.js';
import { findChromium } from './chromium.js';
import { MYSQL_ADMIN, POSTGRES_ADMIN_URI, REDIS_URI } from './servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    unavailableDialects: DialectName[];
    /** Why the Redis suites cannot run (no server at REDIS_URI, no redis-server command), or '' when they can. */
    redisProblem: string;
    /** The Chromium the browser tests launch, or '' with `chromiumProblem` saying why there is none. */
    chromiumPath: string;
    chromiumProblem: string;
  }
}

function shout(message: string): void {
  console.warn(`\n!!!!!!!!\n!!! ${message}\n!!!!!!!!\n`);
}

/** The machine's Redis answers PING, and `redis-server` can be started for the suites that kill their own. */
async function redisProblem(): Promise<string> {
  const client = new Redis(REDIS_URI, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The socket's own error (ECONNREFUSED...) says more than the "Connection is closed." that connect() rejects with.
  let socketError: Error | undefined;
  client.on('error', (error: Error) => (socketError ??= error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const reason = socketError ?? error;
    return `Redis is not reachable at ${REDIS_URI} (${reason instanceof Error ? reason.message : String(reason)})`;
  } finally {
    client.disconnect();
  }
  const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) return 'the redis-server command is not installed';
  return '';
}

async function reachable(connect: () => Promise<void>): Promise<string | undefined> {
  try {
    await connect();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || String(error) : String(error);
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const problems: Partial<Record<DialectName, string>> = {
    postgres: await reachable(async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URI, connectionTimeoutMillis: 3000 });
      await client.connect();
      await client.end();
    }),
    mysql: await reachable(async () => {
      const connection = await mysql.createConnection({ ...MYSQL_ADMIN, connectTimeout: 3000 });
      await connection.end();
    }),
  };
  const unavailable = (Object.keys(problems) as DialectName[]).filter((dialect) => problems[dialect]);
  for (const dialect of unavailable) {
    const message = `${dialect} is not reachable (${problems[dialect]})`;
    if (process.env.CI)
      throw new Error(`${message}: CI must test every dialect; start the server (see .ci/run)`);
    shout(`SKIPPING ${dialect.toUpperCase()} TESTS: ${message}`);
  }
  project.provide('unavailableDialects', unavailable);

  const redis = await redisProblem();
  if (redis) {
    if (process.env.CI)
      throw new Error(`${redis}: CI must test the Redis cache and relay; start it (see .ci/run)`);
    shout(`SKIPPING THE REDIS TESTS: ${redis}`);
  }
  project.provide('redisProblem', redis);

  // Once per run: the packaged build unpacks on first use, which two test files at once must not both do.
  const chromium = await findChromium().then(
    (found) => ({ path: found.path, problem: '' }),
    (error: unknown) => ({ path: '', problem: error instanceof Error ? error.message : String(error) }),
  );
  project.provide('chromiumPath', chromium.path);
  project.provide('chromiumProblem', chromium.problem);
}
