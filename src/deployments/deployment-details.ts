// A whole deployment: the original's row, what it knows of its change (commit, ref, repository, deployer,
// links, description, the commits it brought) under the names /create takes, and its status history.
// The TypeBox schemas are the single definition; the types are derived from them.
import { Type, type Static } from '@sinclair/typebox';
import { NameSchema } from '../validation/names.js';
import { DeploymentSchema } from './deployments.schemas.js';

const NULLABLE_TEXT = (description: string, examples: unknown[] = []) =>
  Type.Union([Type.String(), Type.Null()], { description, examples });

export const ChangeSchema = Type.Object({
  commit: Type.String({
    description: 'The commit SHA (hex).',
    examples: ['9fceb02d0ae598e95dc970b74767f19372d61af8'],
  }),
  committedAt: Type.String({ format: 'date-time', examples: ['2026-11-30T09:12:00.000Z'] }),
  title: NULLABLE_TEXT('The first line of its message.', ['Fix the login redirect']),
  author: NULLABLE_TEXT('Who wrote it.', ['Ada Lovelace']),
});
export type Change = Static<typeof ChangeSchema>;

/** The fields a deployment may carry besides the original's, each null when it was not sent. */
export const DetailsFields = {
  commit: NULLABLE_TEXT('The commit deployed (hex SHA).', ['9fceb02d0ae598e95dc970b74767f19372d61af8']),
  ref: NULLABLE_TEXT('The branch or tag.', ['main']),
  repository: NULLABLE_TEXT('The repository (http/https URL).', ['https://github.com/Lord-Y/versions']),
  deployer: NULLABLE_TEXT('Who deployed: as sent, else the name of the write token.', ['ada']),
  logURL: NULLABLE_TEXT("The deployment's log (http/https URL); the newest sent, creation or status."),
  environmentURL: NULLABLE_TEXT('Where the deployed environment answers (http/https URL).'),
  description: NULLABLE_TEXT('Free text; the newest sent, creation or status.'),
};
export const DetailsSchema = Type.Object(DetailsFields);
export type Details = Static<typeof DetailsSchema>;

export const HistoryEntrySchema = Type.Object({
  status: Type.String({ examples: ['deployed'] }),
  date: Type.String({ format: 'date-time' }),
  setBy: NULLABLE_TEXT('The name of the token that set it (APP_API_TOKENS entry name:token).', ['ci']),
  description: NULLABLE_TEXT('Sent with this status.'),
  logURL: NULLABLE_TEXT('Sent with this status.'),
});
export type DetailedHistoryEntry = Static<typeof HistoryEntrySchema>;

/** The whole deployment, as GET /deployments/{versionId} answers it. */
export const WholeDeploymentSchema = Type.Composite([
  DeploymentSchema,
  DetailsSchema,
  Type.Object({
    changes: Type.Array(ChangeSchema, { description: 'The commits it brought, as sent.' }),
    history: Type.Array(HistoryEntrySchema, { description: 'Every status, oldest first, creation first.' }),
  }),
]);
export type WholeDeployment = Static<typeof WholeDeploymentSchema>;

/** The same without the payload (`raw`), for lists. */
export const WholeDeploymentWithoutRawSchema = Type.Omit(WholeDeploymentSchema, ['raw']);
export type WholeDeploymentWithoutRaw = Static<typeof WholeDeploymentWithoutRawSchema>;

/** GET /compare's query: a workload and two PLATFORM/ENVIRONMENT places. */
export const CompareQuerySchema = Type.Object({
  workload: NameSchema({ examples: ['teamX'] }),
  from: Type.String({ description: 'PLATFORM/ENVIRONMENT', examples: ['staging/staging'] }),
  to: Type.String({ description: 'PLATFORM/ENVIRONMENT', examples: ['production/production'] }),
});
export type CompareQuery = Static<typeof CompareQuerySchema>;

/** Details as checked by the service, ready to store (undefined fields are not stored). */
export interface NewDetails {
  commit?: string;
  ref?: string;
  repository?: string;
  deployer?: string;
  logURL?: string;
  environmentURL?: string;
  description?: string;
  changes: NewChange[];
}

export interface NewChange {
  commit: string;
  committedAt: Date;
  title?: string;
  author?: string;
}

/** What a status update may carry besides the status. */
export interface StatusNote {
  setBy?: string;
  description?: string;
  logURL?: string;
}

/** The empty details of a deployment that sent none. */
export const NO_DETAILS: Details = {
  commit: null,
  ref: null,
  repository: null,
  deployer: null,
  logURL: null,
  environmentURL: null,
  description: null,
};

/** The details and changes as an event carries them after the row (every field, null when not sent). */
export function eventDetails(details: NewDetails | undefined): Details & { changes: Change[] } {
  return {
    commit: details?.commit ?? null,
    ref: details?.ref ?? null,
    repository: details?.repository ?? null,
    deployer: details?.deployer ?? null,
    logURL: details?.logURL ?? null,
    environmentURL: details?.environmentURL ?? null,
    description: details?.description ?? null,
    changes: (details?.changes ?? []).map((change) => ({
      commit: change.commit,
      committedAt: change.committedAt.toISOString(),
      title: change.title ?? null,
      author: change.author ?? null,
    })),
  };
}
