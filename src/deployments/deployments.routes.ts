import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../audit/actor.js';
import {
  CreateBodySchema,
  DailyStatusCountSchema,
  DeploymentSchema,
  DeploymentWithTotalSchema,
  EnvironmentKeySchema,
  EnvironmentPageQuerySchema,
  EnvironmentQuerySchema,
  PlatformPageQuerySchema,
  RawQuerySchema,
  UpdateStatusBodySchema,
  VersionIdQuerySchema,
  withErrors,
} from './deployments.schemas.js';
import type { DeploymentsService } from './deployments.service.js';

/** The original's v1 endpoints, registered under /api/v1. */
export async function deploymentsRoutes(app: FastifyInstance, opts: { service: DeploymentsService }) {
  const { service } = opts;
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['deployments'];

  routes.post(
    '/create',
    {
      schema: {
        tags,
        summary: 'Record a deployment',
        body: CreateBodySchema,
        response: withErrors({ 201: Type.Object({ versionId: Type.Integer({ examples: [14] }) }) }),
      },
    },
    async (request, reply) => {
      const versionId = await service.create(request.body, actorOf(request));
      return reply.code(201).send({ versionId });
    },
  );

  routes.post(
    '/update/status',
    {
      schema: {
        tags,
        summary: "Change a deployment's status",
        body: UpdateStatusBodySchema,
        response: withErrors({
          200: Type.String({ description: 'The JSON string "OK".', examples: ['OK'] }),
        }),
      },
    },
    async (request, reply) => {
      await service.updateStatus(request.body, actorOf(request));
      // The original answers the JSON string "OK"; a string payload is sent as it is, so it is encoded here.
      return reply.type('application/json; charset=utf-8').send(JSON.stringify('OK'));
    },
  );

  routes.get(
    '/read/environment',
    {
      schema: {
        tags,
        summary: "One environment's deployments, newest first, paginated",
        querystring: EnvironmentPageQuerySchema,
        response: withErrors({ 200: Type.Array(DeploymentWithTotalSchema) }),
      },
    },
    (request) => service.environmentPage(request.query, request.query),
  );

  routes.get(
    '/read/platform',
    {
      schema: {
        tags,
        summary: "One platform's deployments (every environment), newest first, paginated",
        querystring: PlatformPageQuerySchema,
        response: withErrors({ 200: Type.Array(DeploymentWithTotalSchema) }),
      },
    },
    (request) => service.platformPage(request.query, request.query),
  );

  routes.get(
    '/read/home',
    {
      schema: {
        tags,
        summary: 'The 25 newest deployments over everything (204 when there are none)',
        response: withErrors({ 200: Type.Array(DeploymentSchema), 204: Type.Null() }),
      },
    },
    async (_request, reply) => {
      const rows = await service.home();
      return rows.length === 0 ? reply.code(204).send(null) : rows;
    },
  );

  routes.get(
    '/read/distinct/workloads',
    {
      schema: {
        tags,
        summary: 'Every workload/platform/environment, sorted (204 when there are none)',
        response: withErrors({ 200: Type.Array(EnvironmentKeySchema), 204: Type.Null() }),
      },
    },
    async (_request, reply) => {
      const environments = await service.distinctWorkloads();
      return environments.length === 0 ? reply.code(204).send(null) : environments;
    },
  );

  routes.get(
    '/read/raw',
    {
      schema: {
        tags,
        summary: 'The payload of the newest deployment of a version',
        querystring: RawQuerySchema,
        response: withErrors({ 200: Type.Object({ raw: Type.String() }) }),
      },
    },
    async (request) => ({ raw: await service.raw(request.query) }),
  );

  routes.get(
    '/read/raw/id',
    {
      schema: {
        tags,
        summary: 'One deployment by id',
        querystring: VersionIdQuerySchema,
        response: withErrors({ 200: DeploymentSchema }),
      },
    },
    (request) => service.byId(request.query.versionId),
  );

  routes.get(
    '/read/environment/latest',
    {
      schema: {
        tags,
        summary: 'The version of the newest successful (deployed or completed) deployment',
        querystring: EnvironmentQuerySchema,
        response: withErrors({ 200: Type.Object({ version: Type.String({ examples: ['1.1.0'] }) }) }),
      },
    },
    async (request) => ({ version: await service.latestVersion(request.query, true) }),
  );

  routes.get(
    '/read/environment/latest/whatever',
    {
      schema: {
        tags,
        summary: 'The version of the newest deployment, whatever its status',
        querystring: EnvironmentQuerySchema,
        response: withErrors({ 200: Type.Object({ version: Type.String({ examples: ['1.1.0'] }) }) }),
      },
    },
    async (request) => ({ version: await service.latestVersion(request.query, false) }),
  );

  routes.get(
    '/stats/latest',
    {
      schema: {
        tags: ['statistics'],
        summary: 'Deployments of the last 10 UTC days, counted per day and status (204 when none)',
        response: withErrors({ 200: Type.Array(DailyStatusCountSchema), 204: Type.Null() }),
      },
    },
    async (_request, reply) => {
      const counts = await service.latestStats();
      return counts.length === 0 ? reply.code(204).send(null) : counts;
    },
  );
}
