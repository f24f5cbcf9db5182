import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../src/app.js';
import { loadConfig, type Config, type DatabaseConfig, type DialectName } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { DeploymentsStore } from '../../src/store/deployments.store.js';
import { StoreDatabase } from '../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

export interface TestApp {
  app: FastifyInstance;
  /** The app's database, open and migrated. */
  storeDatabase: StoreDatabase;
  /** A DeploymentsStore on it, for tests that write deployments directly. */
  store: DeploymentsStore;
  config: Config;
  database: TestDatabase;
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Captures pino's JSON lines in memory instead of printing them. */
export function captureLogs(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger(level, stream) };
}

/** The app on a fresh database of `dialect` (or on `database` when given), driven with `app.inject()`. */
export async function createTestApp(
  dialect: DialectName,
  options: { env?: Record<string, string>; database?: TestDatabase; deps?: Partial<AppDeps> } = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase(dialect));
  const config = { ...loadConfig({ APP_METRICS_PORT: '0', ...options.env }), database: database.config };
  const { lines, logger } = captureLogs();
  const storeDatabase = await StoreDatabase.open(database.config, logger, 5);
  const app = await buildApp({ config, database: storeDatabase, logger, ...options.deps });
  await app.ready();
  return {
    app,
    storeDatabase,
    store: new DeploymentsStore(storeDatabase),
    config,
    database,
    logs: lines,
    async close() {
      await app.close();
      await storeDatabase.close();
      if (!options.database) await database.drop();
    },
  };
}

export type { DatabaseConfig };
