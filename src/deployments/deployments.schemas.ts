// The HTTP shapes of the deployment endpoints: validated on the way in, serialised fast on the way out,
// and published as the OpenAPI document.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MAX_URL_LENGTH, MAX_VERSION_ID, NameSchema } from '../validation/names.js';

export const DeploymentSchema = Type.Object({
  // Published so that clients (the UI) know the range of an id and need not ask past it.
  versions_id: Type.Integer({
    minimum: 1,
    maximum: MAX_VERSION_ID,
    description: 'The deployment id (versionId).',
    examples: [14],
  }),
  workload: Type.String({ examples: ['teamX'] }),
  platform: Type.String({ examples: ['production'] }),
  environment: Type.String({ examples: ['production'] }),
  version: Type.String({ examples: ['1.1.0'] }),
  changelog_url: Type.String({ examples: ['https://example.com/changelog/1.1.0'] }),
  raw: Type.String({ examples: ['{"a":"b"}'] }),
  status: Type.String({ examples: ['deployed'] }),
  date: Type.String({ format: 'date-time', examples: ['2020-12-02T19:58:10.123Z'] }),
});

export const DeploymentWithTotalSchema = Type.Composite([
  DeploymentSchema,
  Type.Object({
    total: Type.Integer({ description: 'How many deployments the environment or platform has.' }),
  }),
]);

export const ErrorSchema = Type.Object(
  { error: Type.String({ examples: ['workload is required'] }) },
  { description: 'What is wrong, naming the field.' },
);

/** The optional fields that tell a deployment's change (issue 12); rules in details-input.ts. */
const DetailsBodyFields = {
  commit: Type.Optional(
    Type.String({
      description: 'The commit deployed: a hex SHA of 7 to 64 characters.',
      examples: ['9fceb02'],
    }),
  ),
  ref: Type.Optional(
    Type.String({ description: 'The branch or tag, at most 255 characters.', examples: ['main'] }),
  ),
  repository: Type.Optional(
    Type.String({ description: 'An http/https URL.', examples: ['https://github.com/Lord-Y/versions'] }),
  ),
  deployer: Type.Optional(
    Type.String({
      description: "Who deployed, at most 100; the write token's name when omitted.",
      examples: ['ada'],
    }),
  ),
  logURL: Type.Optional(Type.String({ description: "The deployment's log: an http/https URL." })),
  environmentURL: Type.Optional(
    Type.String({ description: 'Where the environment answers: an http/https URL.' }),
  ),
  description: Type.Optional(Type.String({ description: 'At most 1000 characters.' })),
};

export const CreateBodySchema = Type.Object({
  ...DetailsBodyFields,
  changes: Type.Optional(
    Type.Array(
      Type.Object({
        commit: Type.String({ description: 'A hex SHA of 7 to 64 characters.' }),
        committedAt: Type.String({
          description: 'ISO 8601 with a time zone.',
          examples: ['2026-11-30T09:12:00Z'],
        }),
        title: Type.Optional(Type.String({ description: 'At most 500 characters.' })),
        author: Type.Optional(Type.String({ description: 'At most 100 characters.' })),
      }),
      {
        maxItems: 1000,
        description: 'JSON bodies only: the commits this deployment brings to its environment, at most 1000.',
      },
    ),
  ),
  workload: NameSchema({ examples: ['teamX'] }),
  platform: NameSchema({ examples: ['production'] }),
  environment: NameSchema({ examples: ['production'] }),
  version: NameSchema({ examples: ['1.1.0'] }),
  status: Type.Optional(
    NameSchema({
      description: 'At most 100 characters after trimming; stored lower-cased; deployed when omitted.',
    }),
  ),
  changelogURL: Type.Optional(
    Type.String({ description: `N/A when empty; at most ${MAX_URL_LENGTH} characters after trimming.` }),
  ),
  raw: Type.Optional(
    Type.Union([Type.String(), Type.Object({}), Type.Array(Type.Unknown())], {
      description: 'The payload, usually JSON text; a JSON object is stored as its text. N/A when empty.',
      'x-error': 'must be a string (or a JSON object)',
    }),
  ),
  date: Type.Optional(
    Type.String({
      description: 'When it was deployed, for backfills: ISO 8601 with a time zone. Now when omitted.',
      examples: ['2024-05-01T12:30:00Z'],
    }),
  ),
});

const VersionIdSchema = Type.Union([Type.Integer(), Type.String()], {
  description: 'The deployment id, as a number or a numeric string.',
  'x-error': 'must be a positive integer (a number or a numeric string, e.g. 14 or "14")',
  examples: [14],
});

export const UpdateStatusBodySchema = Type.Object({
  versionId: VersionIdSchema,
  status: NameSchema({ examples: ['deployed'] }),
  description: DetailsBodyFields.description,
  logURL: DetailsBodyFields.logURL,
});

export const VersionIdQuerySchema = Type.Object({ versionId: VersionIdSchema });

const EnvironmentFields = {
  workload: NameSchema({ examples: ['teamX'] }),
  platform: NameSchema({ examples: ['production'] }),
  environment: NameSchema({ examples: ['production'] }),
};

const PageFields = {
  // Past the 32-bit ids there can be no such page; the offset it makes stays within every database's range.
  page: Type.Integer({ minimum: 1, maximum: MAX_VERSION_ID, default: 1, description: 'From 1.' }),
  rangeLimit: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 25,
    description: 'Rows per page, at most 1000.',
  }),
};

export const EnvironmentQuerySchema = Type.Object(EnvironmentFields);
export const EnvironmentPageQuerySchema = Type.Object({ ...EnvironmentFields, ...PageFields });
export const PlatformPageQuerySchema = Type.Object({
  workload: EnvironmentFields.workload,
  platform: EnvironmentFields.platform,
  ...PageFields,
});
export const RawQuerySchema = Type.Object({
  ...EnvironmentFields,
  version: NameSchema({ examples: ['1.1.0'] }),
});

export const EnvironmentKeySchema = Type.Object({
  workload: Type.String(),
  platform: Type.String(),
  environment: Type.String(),
});

export const DailyStatusCountSchema = Type.Object({
  total: Type.Integer(),
  workload: Type.String(),
  platform: Type.String(),
  environment: Type.String(),
  status: Type.String(),
  date: Type.String({ description: 'The UTC day, YYYY-MM-DD.', examples: ['2020-12-02'] }),
});

export type CreateBody = Static<typeof CreateBodySchema>;
export type UpdateStatusBody = Static<typeof UpdateStatusBodySchema>;
export type VersionIdInput = Static<typeof VersionIdSchema>;
export type EnvironmentQuery = Static<typeof EnvironmentQuerySchema>;
export type PlatformPageQuery = Static<typeof PlatformPageQuerySchema>;
export type EnvironmentPageQuery = Static<typeof EnvironmentPageQuerySchema>;
export type RawQuery = Static<typeof RawQuerySchema>;

/** The 4xx answers every endpoint may give, for the OpenAPI document. */
export function withErrors<T extends Record<number, TSchema>>(responses: T) {
  return { ...responses, 400: ErrorSchema, 404: ErrorSchema, 503: ErrorSchema };
}
