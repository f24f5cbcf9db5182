import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ChangeSchema, CompareQuerySchema, WholeDeploymentSchema } from './deployment-details.js';
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

const DeploymentLinkSchema = Type.Object({
  versions_id: Type.Integer({ examples: [13] }),
  version: Type.String({ examples: ['1.0.9'] }),
  status: Type.String({ examples: ['deployed'] }),
  date: Type.String({ format: 'date-time' }),
});
const linkOrNull = (description: string) => Type.Union([DeploymentLinkSchema, Type.Null()], { description });

const NeighboursSchema = Type.Object({
  previous: linkOrNull(
    'The deployment just before it in its workload/platform/environment, by date then id.',
  ),
  next: linkOrNull('The deployment just after it, likewise.'),
  current: linkOrNull("The environment's newest successful deployment (this one when it still runs)."),
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
    '/deployments/:versionId/neighbours',
    {
      schema: {
        tags,
        summary:
          'The deployments before and after one in its environment, and the one running there now (null when none)',
        params: Type.Object({ versionId: Type.String({ examples: ['14'] }) }),
        response: withErrors({ 200: NeighboursSchema }),
      },
    },
    (request) => service.neighbours(request.params.versionId),
  );

  routes.get(
    '/compare',
    {
      schema: {
        tags,
        summary:
          'What promoting one environment to another would ship: the commits that reached `from` and not `to`',
        querystring: CompareQuerySchema,
        response: withErrors({ 200: ComparisonSchema }),
      },
    },
    (request) => service.compare(request.query),
  );
}
