// The HTTP shapes of GET /deployments, DELETE /deployments/{versionId} and GET /audit (issue 13).
import { Type, type Static } from '@sinclair/typebox';
import { NameSchema } from '../validation/names.js';
import { KNOWN_STATUSES } from './deployment.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from './deployments-query.js';
import { DetailsSchema, WholeDeploymentWithoutRawSchema } from './deployment-details.js';
import { DeploymentSchema } from './deployments.schemas.js';

const TEXT = (description: string, examples: string[]) =>
  Type.Optional(Type.String({ description, examples }));

const PageFields = {
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_LIMIT,
      default: DEFAULT_LIMIT,
      description: `Rows per page, at most ${MAX_LIMIT}.`,
    }),
  ),
  cursor: TEXT(
    'The `nextCursor` of the previous page, as it is. A cursor belongs to the filters it came with: another filter is a 400.',
    [],
  ),
};

export const DeploymentsQuerySchema = Type.Object({
  workload: Type.Optional(NameSchema({ description: 'Exactly this workload.', examples: ['teamX'] })),
  platform: Type.Optional(NameSchema({ description: 'Exactly this platform.', examples: ['production'] })),
  environment: Type.Optional(
    NameSchema({ description: 'Exactly this environment.', examples: ['production'] }),
  ),
  status: Type.Optional(
    Type.String({
      description: 'Comma-separated statuses, any of them; `successful` means deployed or completed.',
      examples: ['failed,ongoing', 'successful'],
      // Any text is a status; these are the ones with a meaning, which clients (the UI) offer as choices.
      'x-known-values': ['successful', ...KNOWN_STATUSES],
    }),
  ),
  version: TEXT('The version exactly, or the start of one followed by `*`.', ['1.4.2', '1.4*']),
  commit: TEXT('The start of the commit SHA (hexadecimal).', ['9fceb02']),
  deployer: Type.Optional(NameSchema({ description: 'Exactly this deployer.', examples: ['ada'] })),
  from: TEXT('Deployed at or after: ISO 8601 with a time zone.', ['2026-11-01T00:00:00Z']),
  to: TEXT('Deployed at or before: ISO 8601 with a time zone.', ['2026-11-30T23:59:59Z']),
  q: TEXT(
    'A substring of the version, description or commit, whatever the case; % and _ are taken literally.',
    ['hotfix'],
  ),
  ...PageFields,
  include: TEXT('`raw` adds each deployment’s payload, which lists leave out.', ['raw']),
  format: Type.Optional(
    Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('ndjson')], {
      description:
        'json (a page, the default), or an export of every matching row, no limit: csv (RFC 4180 with a header; ' +
        'cells starting with = + - @ tab or CR are prefixed with a quote against spreadsheet formulas) or ndjson. ' +
        '`Accept: text/csv` or `Accept: application/x-ndjson` asks for the same.',
      'x-error': 'must be json, csv or ndjson',
    }),
  ),
});

export type DeploymentsQuery = Static<typeof DeploymentsQuerySchema>;

const RawField = { raw: Type.Optional(Type.String({ description: 'Only with `include=raw`.' })) };

/** A page's item: the whole deployment (details, changes, history), its payload only when asked for. */
export const ListedDeploymentSchema = Type.Composite([
  WholeDeploymentWithoutRawSchema,
  Type.Object(RawField),
]);

/** An export's line: the row and its details, flat; no changes or history. */
export const ExportedDeploymentSchema = Type.Composite([
  Type.Omit(DeploymentSchema, ['raw']),
  DetailsSchema,
  Type.Object(RawField),
]);

export const DeploymentListSchema = Type.Object({
  items: Type.Array(ListedDeploymentSchema, { description: 'Newest first (by date, then id).' }),
  nextCursor: Type.Union([Type.String(), Type.Null()], {
    description:
      'Pass it as `cursor` for the next page; null on the last one. Also sent as `Link: <...>; rel="next"`.',
  }),
});

export const VersionIdParamsSchema = Type.Object({
  versionId: Type.String({ description: 'The deployment id.', examples: ['14'] }),
});

export const AuditQuerySchema = Type.Object({
  versionId: TEXT('Only the writes of this deployment.', ['14']),
  action: Type.Optional(
    Type.Union([Type.Literal('created'), Type.Literal('status'), Type.Literal('deleted')], {
      'x-error': 'must be created, status or deleted',
    }),
  ),
  ...PageFields,
});

export type AuditQuery = Static<typeof AuditQuerySchema>;

export const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  date: Type.String({ format: 'date-time', description: 'When the write was made.' }),
  action: Type.Union([Type.Literal('created'), Type.Literal('status'), Type.Literal('deleted')]),
  versionId: Type.Integer(),
  tokenName: Type.Union([Type.String(), Type.Null()], {
    description: 'The name of the write token (APP_API_TOKENS entry name:token); null when unnamed or open.',
  }),
  address: Type.Union([Type.String(), Type.Null()], { description: "The request's address." }),
  deployment: Type.Object(DeploymentSchema.properties, {
    description: 'The deployment after the write; as it was before, for a delete.',
  }),
});

export const AuditPageSchema = Type.Object({
  items: Type.Array(AuditEntrySchema, { description: 'Newest first.' }),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
