// The entry point: read the configuration, open and migrate the database, listen, and close gracefully.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import { describeAccess } from './auth/bearer-auth.js';
import { openChangeFeed } from './cache/change-feeds.js';
import { MemoryCache } from './cache/memory-cache.js';
import { RedisCache } from './cache/redis-cache.js';
import { ConfigError, describeDatabase, loadConfig, type Config } from './config.js';
import { DeploymentEvents } from './events/deployment-events.js';
import { RedisRelay } from './events/redis-relay.js';
import { createLogger, serverLogDestination } from './logger.js';
import { startMetricsServer } from './metrics/metrics-server.js';
import { Metrics } from './metrics/metrics.js';
import { DatabaseStartError, StoreDatabase } from './store/database.js';
import { StatsStore } from './store/stats.store.js';
import { startNotifications } from './notify/notifier.js';
import { listeningPort, listenFallingBackToIpv4, reachableUrl } from './http/listen.js';

/** Starts the service as configured by the environment; exits the process on a fatal start-up error. */
export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      createLogger().fatal(`configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel, serverLogDestination());
  const address = describeDatabase(config.database);
  log.info({ database: address, redis: config.redis.enabled }, 'versions is starting');

  let database: StoreDatabase;
  try {
    database = await StoreDatabase.open(config.database, log, config.databaseWaitSeconds);
  } catch (error) {
    if (error instanceof DatabaseStartError) {
      log.fatal(error.message);
      process.exit(1);
    }
    throw error;
  }

  // Not awaited: Redis only accelerates, so the service starts (and answers from the database) without it.
  const redis = config.redis.enabled ? new RedisCache({ uri: config.redis.uri, logger: log }) : undefined;
  // Without Redis, read results are kept in this process while a change feed vouches for them.
  const memoryCache = redis || config.readCache === 'off' ? undefined : await openMemoryCache(config, log);
  const metrics = config.metricsPort
    ? new Metrics({ stats: new StatsStore(database), logger: log, redisUp: redis && (() => redis.up) })
    : undefined;
  // One bus for the app's writes and whoever listens to them (notifications, live events, metrics).
  const events = new DeploymentEvents();
  metrics?.countDeployments(events);
  const notifier = startNotifications(config, events, log, metrics?.registry);
  // With Redis, event streams also show writes made on other replicas. Not awaited, as the cache is not.
  const relay = config.redis.enabled ? new RedisRelay({ uri: config.redis.uri, events, log }) : undefined;
  void relay?.start();
  const app = await buildApp({
    config,
    database,
    logger: log,
    events,
    cache: redis ?? memoryCache,
    healthChecks: redis && [redis.healthCheck],
    metrics,
  });
  const url = await listen(app, config);
  const metricsServer =
    metrics &&
    (await startMetricsServer(metrics, { host: config.metricsHost, port: config.metricsPort, logger: log }));
  log.info(
    {
      url,
      database: address,
      redis: redis?.address ?? 'disabled',
      readCache: redis ? 'redis' : memoryCache ? 'memory' : 'off',
      metrics: metricsServer?.url ?? 'disabled',
    },
    'versions is listening',
  );
  log.info(
    { ...describeAccess(config), cors: config.corsOrigins.length > 0 ? config.corsOrigins : 'off' },
    'access: which requests need a token',
  );
  if (config.readTokens.length > 0 && config.apiTokens.length === 0) {
    log.warn('APP_READ_TOKENS is set but APP_API_TOKENS is not: reads need a token while anyone may write');
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    // Never hang on a stuck connection: leave after 10 s whatever happens.
    setTimeout(() => process.exit(1), 10_000).unref();
    await app.close();
    // After the last request: its events are queued; they get a short flush, then are given up.
    await notifier?.stop(2000);
    await metricsServer?.close();
    await relay?.stop();
    await redis?.close();
    await memoryCache?.close();
    await database.close().catch((error: Error) => log.warn({ err: error.message }, 'closing the database'));
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/** The in-process read cache, or none where the database has no change feed (MySQL/MariaDB). */
async function openMemoryCache(config: Config, log: Logger): Promise<MemoryCache | undefined> {
  const feed = await openChangeFeed(config.database, log);
  if (!feed) {
    log.info(
      'read cache: off (this database cannot tell replicas about changes; REDIS_ENABLED turns a cache on)',
    );
    return undefined;
  }
  return new MemoryCache({ feed });
}

/** Listens on APP_HOST (every interface by default, IPv4 only where IPv6 is off); returns a URL to reach it. */
async function listen(app: FastifyInstance, config: Config): Promise<string> {
  await listenFallingBackToIpv4(config.host, (host) => app.listen({ host, port: config.port }));
  return reachableUrl(config.host, listeningPort(app.server.address(), config.port));
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  startServer().catch((error: unknown) => {
    createLogger().fatal({ err: error }, 'versions could not start');
    process.exit(1);
  });
}
