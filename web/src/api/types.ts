// The API's shapes, named for the UI. Each is the server's own, from its OpenAPI document (generated/openapi.ts,
// `npm run generate:api-types`): a field the server adds, renames or makes nullable shows here at once.
//
// Imports carry their `.js` extension: test/web runs the models that use these under Node's resolution too.
import {
  pathsApiV1EnvironmentsGetResponses200ContentApplicationJsonTierValues as TIER_VALUES,
  type paths,
} from './generated/openapi.js';

type Get<Path extends keyof paths> = paths[Path]['get'];

/** The JSON body of a GET's 200 answer. */
export type Answer<Path extends keyof paths> =
  Get<Path> extends { responses: { 200: { content: { 'application/json': infer Body } } } } ? Body : never;

/** The query parameters a GET takes. */
export type QueryOf<Path extends keyof paths> =
  Get<Path> extends { parameters: { query?: infer Query } } ? NonNullable<Query> : never;

type Item<List> = List extends ReadonlyArray<infer Entry> ? Entry : never;

/** One deployment as the API returns it; `versions_id` is the deployment id (the original's column name). */
export type Deployment = Item<Answer<'/api/v1/read/home'>>;

/** A deployment as a list shows it: lists of `GET /deployments` leave the payload (`raw`) out. */
export type ListedDeployment = Omit<Deployment, 'raw'>;

/** A row of a paginated read: `total` counts every row of the platform or environment. */
export type PagedDeployment = Item<Answer<'/api/v1/read/environment'>>;

/** The filters of `GET /deployments` the UI sends; an absent one is not sent. */
export type DeploymentQuery = Omit<QueryOf<'/api/v1/deployments'>, 'include' | 'format'>;

/** One page of `GET /deployments`, newest first; `nextCursor` is null on the last. */
export type DeploymentList = Answer<'/api/v1/deployments'>;

/** One workload / platform / environment combination that has deployments. */
export type EnvironmentPath = Item<Answer<'/api/v1/read/distinct/workloads'>>;

/** Deployments of one environment on one UTC day with one status (`GET /stats/latest`). */
export type DailyStatusCount = Item<Answer<'/api/v1/stats/latest'>>;

/** One page of a platform's or an environment's history (the UI's own shape, from the paginated rows). */
export interface DeploymentPage {
  rows: Deployment[];
  /** Every row of that history, over all pages. */
  total: number;
}

/** One status a deployment went through (`GET /read/history`); the first is its creation. */
export type HistoryEntry = Item<Answer<'/api/v1/read/history'>>;

/** What one environment runs and last tried (`GET /read/matrix`). */
export type MatrixEntry = Item<Answer<'/api/v1/read/matrix'>>;

/** The whole answer of `GET /stats/dora`: the window's figures, with `groups` and `buckets` when asked for. */
export type DoraAnswer = Answer<'/api/v1/stats/dora'>;

/** DORA figures over the deployments created in a window; null where nothing was measured. */
export type DoraFigures = Item<NonNullable<DoraAnswer['buckets']>>;

/** A workload's (or an environment's) line of a grouped answer. */
export type DoraGroup = Item<NonNullable<DoraAnswer['groups']>>;

/** What the environments' tiers can be, from the first a change reaches to the last. */
export const TIERS = TIER_VALUES;
export type Tier = (typeof TIERS)[number];

/** Which deployments DORA figures cover: an absent field means every value. */
export type DoraScope = Pick<QueryOf<'/api/v1/stats/dora'>, 'workload' | 'platform' | 'environment'> & {
  /** Only the environments of this tier (`GET /environments`). */
  tier?: Tier;
};

/** A platform's environment and its tier (`GET /environments`). */
export type EnvironmentTier = Item<Answer<'/api/v1/environments'>>;

/** A deployment with what it knows of its change and its history (`GET /deployments/{versionId}`). */
export type WholeDeployment = Answer<'/api/v1/deployments/{versionId}'>;

/** A commit a deployment brought to its environment. */
export type Change = Item<WholeDeployment['changes']>;

/** The deployments around one in its environment, and the one running there (`GET /deployments/{id}/neighbours`). */
export type Neighbours = Answer<'/api/v1/deployments/{versionId}/neighbours'>;

/** A deployment as a link to it needs it. */
export type DeploymentLink = NonNullable<Neighbours['previous']>;

/** What promoting `from` to `to` would ship (`GET /compare`). */
export type Comparison = Answer<'/api/v1/compare'>;
