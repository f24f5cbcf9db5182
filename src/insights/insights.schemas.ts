// The HTTP shapes of history, matrix and DORA figures (fixed by CONTRACT.md, "Beyond the original").
import { Type, type Static } from '@sinclair/typebox';
import { NameSchema } from '../validation/names.js';

/** The DORA window when `days` is not given. */
export const DEFAULT_DORA_DAYS = 30;
/** The longest DORA window: ten years. */
export const MAX_DORA_DAYS = 3650;
/** The most trend buckets one answer holds (`days / bucketDays`). */
export const MAX_DORA_BUCKETS = 100;

const DATE = { format: 'date-time', examples: ['2020-12-02T19:58:10.123Z'] } as const;

export const HistorySchema = Type.Array(
  Type.Object({ status: Type.String({ examples: ['ongoing'] }), date: Type.String(DATE) }),
  { description: 'Every status the deployment went through, oldest first, its creation first.' },
);

export const MatrixQuerySchema = Type.Object({
  workload: Type.Optional(NameSchema({ description: 'Only this workload.', examples: ['teamX'] })),
});
export type MatrixQuery = Static<typeof MatrixQuerySchema>;

export const MatrixSchema = Type.Array(
  Type.Object({
    workload: Type.String({ examples: ['teamX'] }),
    platform: Type.String({ examples: ['production'] }),
    environment: Type.String({ examples: ['production'] }),
    current: Type.Union(
      [
        Type.Object({
          versions_id: Type.Integer(),
          version: Type.String(),
          date: Type.String(DATE),
          commit: Type.Union([Type.String(), Type.Null()], { description: 'Its commit, when recorded.' }),
          environmentURL: Type.Union([Type.String(), Type.Null()], {
            description: 'Where the environment answers, when recorded.',
          }),
        }),
        Type.Null(),
      ],
      { description: 'The newest successful (deployed or completed) deployment; null when there is none.' },
    ),
    latest: Type.Object(
      { versions_id: Type.Integer(), version: Type.String(), status: Type.String(), date: Type.String(DATE) },
      { description: 'The newest deployment, whatever its status.' },
    ),
  }),
  { description: 'One entry per workload/platform/environment, sorted by those three.' },
);

export const DoraQuerySchema = Type.Object({
  workload: Type.Optional(NameSchema({ examples: ['teamX'] })),
  platform: Type.Optional(NameSchema({ examples: ['production'] })),
  environment: Type.Optional(NameSchema({ examples: ['production'] })),
  tier: Type.Optional(
    Type.String({
      examples: ['production'],
      description:
        'Only the environments of this tier (see GET /environments): production, staging, testing, development or other. Adds `rollouts`.',
    }),
  ),
  days: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_DORA_DAYS,
      default: DEFAULT_DORA_DAYS,
      description: `The window: deployments created in the last \`days\` × 24 hours. At most ${MAX_DORA_DAYS}.`,
    }),
  ),
  groupBy: Type.Optional(
    Type.Union([Type.Literal('workload'), Type.Literal('environment')], {
      description:
        'Adds `groups`: the figures of every workload (or workload/platform/environment) with deployments in the window.',
      'x-error': 'must be workload or environment',
    }),
  ),
  bucketDays: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_DORA_DAYS,
      description: `Adds \`buckets\`: the figures of consecutive spans of that many days, oldest first (at most ${MAX_DORA_BUCKETS} spans).`,
    }),
  ),
});

export type DoraQuery = Static<typeof DoraQuerySchema>;

const SECONDS = {
  description: 'A median in seconds (millisecond precision); null when nothing was measured.',
};

export const DoraSchema = Type.Object({
  from: Type.String({ ...DATE, description: 'Start of the window (included): `to` minus `days` × 24 h.' }),
  to: Type.String({ ...DATE, description: 'End of the window (included): the time of the request.' }),
  deployments: Type.Integer({ description: 'Deployments created in the window, any status.' }),
  successful: Type.Integer({ description: 'Of those, how many are deployed or completed now.' }),
  failed: Type.Integer({ description: 'Of those, how many are failed now.' }),
  deploymentsPerDay: Type.Number({ description: 'successful / days.' }),
  changeFailureRate: Type.Union([Type.Number(), Type.Null()], {
    description: 'failed / (successful + failed); null when both are 0.',
  }),
  medianTimeToRestoreSeconds: Type.Union([Type.Number(), Type.Null()], SECONDS),
  medianDeploymentSeconds: Type.Union([Type.Number(), Type.Null()], SECONDS),
  changes: Type.Integer({
    description:
      'Commits (sent as `changes` on create) that first reached an environment in the window, once per environment.',
  }),
  medianLeadTimeSeconds: Type.Union([Type.Number(), Type.Null()], {
    description:
      'Lead time for changes: median seconds from a commit’s committedAt to the first successful status of the first deployment that brought it to an environment; null when no change was recorded.',
  }),
  rollouts: Type.Optional(
    Type.Integer({
      description:
        'With `tier` only: successful deployments counted as rollouts, a workload’s deployments within one hour of the first of a rollout counting once (one release to several production environments).',
    }),
  ),
  rolloutsPerDay: Type.Optional(Type.Number({ description: 'With `tier` only: rollouts / days.' })),
  approximate: Type.Optional(
    Type.Boolean({
      description:
        'Present (true) when medianTimeToRestoreSeconds and medianDeploymentSeconds were read from the DORA rollup’s histograms (a long window of more than 10,000 deployments): each within 2% of the exact median. Counts are always exact.',
    }),
  ),
});

/** `/stats/dora` as answered: the window's figures, with `groups` and `buckets` when asked for. */
export const DoraAnswerSchema = Type.Composite([
  DoraSchema,
  Type.Object({
    groups: Type.Optional(
      Type.Array(
        Type.Composite([
          Type.Object({
            workload: Type.String(),
            platform: Type.Optional(Type.String()),
            environment: Type.Optional(Type.String()),
          }),
          DoraSchema,
        ]),
        { description: 'With `groupBy`: one entry per workload (or environment) with deployments, sorted.' },
      ),
    ),
    buckets: Type.Optional(
      Type.Array(DoraSchema, {
        description:
          'With `bucketDays`: consecutive spans, oldest first; the newest ends at `to`, the oldest may be shorter.',
      }),
    ),
  }),
]);
