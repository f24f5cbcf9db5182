// What the service exposes to Prometheus: one registry per app (so tests and replicas in one process never
// mix), the default process and Node.js metrics, and the service's own series.
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReadCache } from '../cache/read-cache.js';
import type { DeploymentEvents } from '../events/deployment-events.js';
import type { StatsStore } from '../store/stats.store.js';

export interface MetricsSources {
  /** The pool's connections and the figures of /stats/latest, read at every scrape. */
  stats: Pick<StatsStore, 'poolStats' | 'latestDailyCounts'>;
  logger: Logger;
  /** Whether Redis answers; omitted when the cache is off. */
  redisUp?: () => boolean;
}

type RequestLabels = 'method' | 'route' | 'status_code';

/** The registry and every series the app records or computes when scraped. */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<RequestLabels>;
  private readonly durations: Histogram<RequestLabels>;
  private readonly cacheReads: Counter<'result'>;
  private readonly deployments: Counter<'workload' | 'platform' | 'environment' | 'status'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    this.requests = new Counter({
      name: 'versions_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status code',
      labelNames: ['method', 'route', 'status_code'],
      registers,
    });
    this.durations = new Histogram({
      name: 'versions_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route pattern, method and status code',
      labelNames: ['method', 'route', 'status_code'],
      // From a cached read (well under a millisecond) to a slow database.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.cacheReads = new Counter({
      name: 'versions_cache_reads_total',
      help: 'Reads of the cache: result="hit" answered from Redis, "miss" loaded from the database',
      labelNames: ['result'],
      registers,
    });

    this.deployments = new Counter({
      name: 'versions_deployments_total',
      help: 'Deployments recorded (by their first status) and status changes made through this process, by the status they reached',
      labelNames: ['workload', 'platform', 'environment', 'status'],
      registers,
    });

    const { stats } = sources;
    new Gauge({
      name: 'versions_db_pool_connections',
      help: 'Connections of the database pool, by state (in_use, idle)',
      labelNames: ['state'],
      registers,
      collect() {
        const { inUse, idle } = stats.poolStats();
        this.set({ state: 'in_use' }, inUse);
        this.set({ state: 'idle' }, idle);
      },
    });

    const { redisUp } = sources;
    if (redisUp) {
      new Gauge({
        name: 'versions_redis_up',
        help: '1 when Redis answers and the cache is in use, 0 while reads go to the database',
        registers,
        collect() {
          this.set(redisUp() ? 1 : 0);
        },
      });
    }

    // The figures of /stats/latest, but never from the cache: a scrape always shows the database as it is,
    // even when Redis holds an answer from a moment ago.
    const { logger } = sources;
    new Gauge({
      name: 'versions_last_deployments_by_status',
      help: 'Deployments of the last 10 days (UTC) per day and status, as /api/v1/stats/latest returns them',
      labelNames: ['workload', 'platform', 'environment', 'status', 'date'],
      registers,
      async collect() {
        // Rebuilt at every scrape, so that a series whose count moved to another status disappears.
        this.reset();
        try {
          for (const {
            workload,
            platform,
            environment,
            status,
            date,
            total,
          } of await stats.latestDailyCounts()) {
            this.set({ workload, platform, environment, status, date }, total);
          }
        } catch (error) {
          // An empty gauge rather than a failed scrape: the process metrics stay visible while the database is not.
          logger.warn(
            { err: error instanceof Error ? error.message : String(error) },
            'metrics: reading the statistics',
          );
        }
      },
    });
  }

  /** Records one answered request; `route` is the route pattern, never the raw URL (bounded label values). */
  observeRequest(labels: { method: string; route: string; statusCode: number }, seconds: number): void {
    const values = { method: labels.method, route: labels.route, status_code: String(labels.statusCode) };
    this.requests.inc(values);
    this.durations.observe(values, seconds);
  }

  /**
   * Counts every create and status change of `events` made by this process (relayed ones are counted by the
   * replica that made them, so that a sum over replicas counts each once); returns the unsubscribe function.
   */
  countDeployments(events: DeploymentEvents): () => void {
    return events.subscribe(({ event, origin, deployment: { workload, platform, environment, status } }) => {
      // A deleted record (a correction) is not a deployment reaching a status.
      if (origin !== 'local' || (event !== 'created' && event !== 'status')) return;
      this.deployments.inc({ workload, platform, environment, status });
    });
  }

  /** The same cache, counting hits and misses: a read that had to call `load` is a miss. */
  countCacheReads(cache: ReadCache): ReadCache {
    const counter = this.cacheReads;
    return {
      async read(key, load) {
        let loaded = false;
        const value = await cache.read(key, () => {
          loaded = true;
          return load();
        });
        counter.inc({ result: loaded ? 'miss' : 'hit' });
        return value;
      },
      invalidate: () => cache.invalidate(),
    };
  }

  /** The text exposition of every series, for GET /metrics. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
