import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { withErrors } from '../deployments/deployments.schemas.js';
import type { EnvironmentsService } from './environments.service.js';
import { TIERS } from './tiers.js';

const TierSchema = Type.String({
  enum: [...TIERS],
  description:
    'What deploying there means for delivery; inferred from the names unless set (GitLab’s rules: dev → development, test/qa/int → testing, stag/pre/uat → staging, prod/live → production).',
  examples: ['production'],
});

const EnvironmentSchema = Type.Object({
  platform: Type.String({ examples: ['production'] }),
  environment: Type.String({ examples: ['eu-west-1'] }),
  tier: TierSchema,
  tierSource: Type.String({
    enum: ['set', 'inferred'],
    description: '`set` by PUT /environments/{platform}/{environment}, else `inferred` from the names.',
  }),
  workloads: Type.Integer({ description: 'Workloads that deployed there.' }),
  deployments: Type.Integer({ description: 'Their deployments there, all statuses.' }),
  url: Type.Union([Type.String(), Type.Null()], {
    description:
      'Where it answers: the `environmentURL` of the newest deployment there that sent one (any workload, by date then id); null when none did.',
    examples: ['https://eu-west-1.example.com'],
  }),
});

const EnvironmentPathSchema = Type.Object({
  platform: Type.String({ examples: ['production'] }),
  environment: Type.String({ examples: ['eu-west-1'] }),
});

/** Environments and their tiers, registered under /api/v1. */
export async function environmentsRoutes(app: FastifyInstance, opts: { service: EnvironmentsService }) {
  const { service } = opts;
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['environments'];

  routes.get(
    '/environments',
    {
      schema: {
        tags,
        summary: 'Every platform/environment with deployments, with its tier, sorted',
        response: withErrors({ 200: Type.Array(EnvironmentSchema) }),
      },
    },
    () => service.list(),
  );

  routes.put(
    '/environments/:platform/:environment',
    {
      schema: {
        tags,
        summary: "Set an environment's tier (for every workload deploying there)",
        params: EnvironmentPathSchema,
        body: Type.Object({
          tier: Type.String({ examples: ['production'], description: TierSchema.description }),
        }),
        response: withErrors({ 200: EnvironmentSchema }),
      },
    },
    (request) => service.setTier(request.params.platform, request.params.environment, request.body.tier),
  );
}
