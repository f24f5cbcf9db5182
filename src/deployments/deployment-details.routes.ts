import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ChangeSchema, WholeDeploymentSchema } from './deployment-details.js';
import type { DeploymentDetailsService } from './deployment-details.service.js';
import { EnvironmentQuerySchema, withErrors } from './deployments.schemas.js';

const PLACE = Type.Object({ platform: Type.String(), environment: Type.String() });

const ComparisonSchema = Type.Object({
  workload: Type.String(),
  from: PLACE,
  to: PLACE,
  changes: Type.Array(
    Type.Composite([
      ChangeSchema,
      Type.Object({
        versions: Type.Array(
          Type.Object({
            versions_id: Type.Integer(),
            version: Type.String(),
            date: Type.String({ format: 'date-time' }),
          }),
          { description: 'The deployments of `from` that brought it, oldest first.' },
        ),
      }),
    ]),
    { description: 'Newest commit first.' },
  ),
});

/** Whole deployments (with their change), the one running in an environment, and comparisons. */
export async function deploymentDetailsRoutes(
  app: FastifyInstance,
  opts: { service: DeploymentDetailsService },
) {
  const { service } = opts;
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['deployments'];

  routes.get(
    '/deployments/current',
    {
      schema: {
        tags,
        summary: 'The deployment running in an environment now (its newest successful one), whole',
        querystring: EnvironmentQuerySchema,
        response: withErrors({ 200: WholeDeploymentSchema }),
      },
    },
    (request) => service.current(request.query),
  );

  routes.get(
    '/deployments/:versionId',
    {
      schema: {
        tags,
        summary: 'One deployment, whole: its row, commit, links, changes and status history',
        params: Type.Object({ versionId: Type.String({ examples: ['14'] }) }),
        response: withErrors({ 200: WholeDeploymentSchema }),
      },
    },
    (request) => service.byId(request.params.versionId),
  );

  routes.get(
    '/compare',
    {
      schema: {
        tags,
        summary:
          'What promoting one environment to another would ship: the commits that reached `from` and not `to`',
        querystring: Type.Object({
          workload: Type.String({ examples: ['teamX'] }),
          from: Type.String({ description: 'PLATFORM/ENVIRONMENT', examples: ['staging/staging'] }),
          to: Type.String({ description: 'PLATFORM/ENVIRONMENT', examples: ['production/production'] }),
        }),
        response: withErrors({ 200: ComparisonSchema }),
      },
    },
    (request) => service.compare(request.query),
  );
}
