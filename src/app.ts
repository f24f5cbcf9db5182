import formbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AuditService } from './audit/audit.service.js';
import { AuditStore } from './store/audit.store.js';
import { installBearerAuth } from './auth/bearer-auth.js';
import { noCache, type ReadCache } from './cache/read-cache.js';
import type { Config } from './config.js';
import { deploymentsQueryRoutes } from './deployments/deployments-query.routes.js';
import { DeploymentsQueryService } from './deployments/deployments-query.service.js';
import { DeploymentsQueryStore } from './store/deployments-query.store.js';
import { deploymentDetailsRoutes } from './deployments/deployment-details.routes.js';
import { DeploymentDetailsService } from './deployments/deployment-details.service.js';
import { deploymentsRoutes } from './deployments/deployments.routes.js';
import { DeploymentsService } from './deployments/deployments.service.js';
import { environmentsRoutes } from './environments/environments.routes.js';
import { EnvironmentsService } from './environments/environments.service.js';
import { EnvironmentsStore } from './store/environments.store.js';
import { DeploymentEvents } from './events/deployment-events.js';
import { eventsRoutes } from './events/events.routes.js';
import type { HealthCheck } from './health/health.js';
import { healthRoutes } from './health/health.routes.js';
import { capConnections, timeoutOptions } from './http/connection-limits.js';
import { answerFrameworkError, installErrorHandler } from './http/error-handler.js';
import { routedUrl } from './http/original-paths.js';
import { installRequestBinding, parseFirstValues } from './http/request-binding.js';
import { installJsonBodyParser } from './http/json-body.js';
import { RequestLog } from './http/request-log.js';
import { installSecurityHeaders, registerCors } from './http/security-headers.js';
import { installValidators } from './http/validation.js';
import { insightsRoutes } from './insights/insights.routes.js';
import { InsightsService } from './insights/insights.service.js';
import { InsightsStore } from './store/insights.store.js';
import type { Metrics } from './metrics/metrics.js';
import { installRequestMetrics } from './metrics/request-metrics.js';
import { openApiRoutes, registerOpenApi } from './openapi/openapi.js';
import { DeploymentDetailsStore } from './store/deployment-details.store.js';
import type { StoreDatabase } from './store/database.js';
import { DeploymentsStore } from './store/deployments.store.js';
import { uiRoutes } from './ui/ui.routes.js';

/** What the app is built from; server.ts makes the real ones, tests make their own. */
export interface AppDeps {
  config: Config;
  /** The open, migrated database; the app builds its stores on it. */
  database: StoreDatabase;
  logger: Logger;
  cache?: ReadCache;
  events?: DeploymentEvents;
  /** The clock of writes and of DORA windows; tests set one to replay a history. */
  now?: () => Date;
  /** Checks reported by /healthz besides the database (Redis...). */
  healthChecks?: HealthCheck[];
  /** Prometheus series to record requests and cache reads in; none recorded without it. */
  metrics?: Metrics;
  /** Up to how many deployments DORA figures are measured exactly (InsightsService; tests force the rollup). */
  doraExactUpTo?: number;
}

/** The HTTP application: plugins, then routes. Listening is the caller's business. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database } = deps;
  const events = deps.events ?? new DeploymentEvents();
  const cache =
    deps.cache && deps.metrics ? deps.metrics.countCacheReads(deps.cache) : (deps.cache ?? noCache);
  const audit = new AuditService(new AuditStore(database));
  const service = new DeploymentsService({
    store: new DeploymentsStore(database),
    cache,
    events,
    now: deps.now,
    audited: true,
    answerLimit: config.answerLimit,
  });
  const queries = new DeploymentsQueryService({
    store: new DeploymentsQueryStore(database),
    cache,
    events,
    audited: true,
    now: deps.now,
  });
  const environments = new EnvironmentsService(new EnvironmentsStore(database));
  const insights = new InsightsService({
    store: new InsightsStore(database),
    cache,
    now: deps.now,
    environmentsOfTier: (tier) => environments.environmentsOf(tier),
    doraExactUpTo: deps.doraExactUpTo,
  });

  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the default instance type everywhere.
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new RequestLog(config.logHealthRequests, deps.logger),
    bodyLimit: config.bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ...timeoutOptions(config.timeouts),
    frameworkErrors: answerFrameworkError,
    // Query strings and forms keep the first of a repeated field, as the original's Gin binding did.
    routerOptions: { ignoreTrailingSlash: true, querystringParser: parseFirstValues },
    rewriteUrl: routedUrl,
  });
  capConnections(app, config.maxConnections);
  installValidators(app);
  await installRequestBinding(app, config.bodyLimit);
  installErrorHandler(app, config.bodyLimit);
  if (deps.metrics) installRequestMetrics(app, deps.metrics);
  await app.register(formbody, { bodyLimit: config.bodyLimit, parser: parseFirstValues });

  // Only JSON and forms are accepted; Fastify's built-in text/plain parser would turn text into a string body.
  app.removeContentTypeParser('text/plain');
  installJsonBodyParser(app);

  // Order matters: headers go on every answer; CORS answers preflights before the token check (browsers send
  // them without credentials); the OpenAPI generator must see every route, so it precedes them all.
  installSecurityHeaders(app);
  await registerCors(app, config.corsOrigins);
  const auth = { apiTokens: config.apiTokens, readTokens: config.readTokens };
  installBearerAuth(app, auth);
  await registerOpenApi(app, auth);

  const checks: HealthCheck[] = [
    { name: database.dialect.healthName, check: () => database.ping() },
    ...(deps.healthChecks ?? []),
  ];
  await app.register(
    async (api) => {
      await api.register(healthRoutes, { checks });
      await api.register(deploymentsRoutes, { service });
      await api.register(deploymentDetailsRoutes, {
        service: new DeploymentDetailsService(new DeploymentDetailsStore(database)),
      });
      await api.register(deploymentsQueryRoutes, { service: queries, audit });
      await api.register(insightsRoutes, { service: insights });
      await api.register(environmentsRoutes, { service: environments });
      await api.register(eventsRoutes, { events, ...config.events });
      await api.register(openApiRoutes);
    },
    { prefix: '/api/v1' },
  );
  await app.register(uiRoutes, { root: config.webRoot });
  return app;
}
