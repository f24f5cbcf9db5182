import type { OpenApiDocument } from '../model/openapi';
import type {
  DailyStatusCount,
  Deployment,
  DeploymentList,
  DeploymentPage,
  DeploymentQuery,
  DoraFigures,
  DoraScope,
  EnvironmentPath,
  EnvironmentTier,
  HistoryEntry,
  MatrixEntry,
  Neighbours,
  PagedDeployment,
  WholeDeployment,
  Comparison,
} from './types';
import { API_ROOT, PAGE_SIZE } from './generated/constants';
import { readToken, tokenRequired } from './read-token';

/** An answer of the API other than a success; `status` is 0 when the server could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }
}

export type Query = Record<string, string | number | undefined>;

/** The query without its blank fields (a filter left empty in a form means no filter). */
export function withoutBlanks(query: Query): Query {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ''));
}

/** GETs a JSON resource; resolves to null on 204 No Content, throws ApiError on any other failure. */
export async function getJson<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T | null> {
  const search = new URLSearchParams(
    Object.entries(query).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])),
  );
  const url = `${API_ROOT}${path}${search.toString() ? `?${search}` : ''}`;
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = readToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'The server could not be reached.');
  }
  if (response.status === 204) return null;
  if (response.status === 401) tokenRequired.value = true;
  if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
  return (await response.json()) as T;
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
  } catch {
    // not JSON: fall back to the status line
  }
  return `The server answered ${response.status} ${response.statusText}`.trim();
}

function toPage(rows: PagedDeployment[] | null): DeploymentPage {
  return { rows: rows ?? [], total: Number(rows?.[0]?.total ?? 0) };
}

/** The calls the UI makes, one per endpoint of the contract. */
export const api = {
  /** The 25 newest deployments over everything; empty when the database is. */
  async latestDeployments(signal?: AbortSignal): Promise<Deployment[]> {
    return (await getJson<Deployment[]>('/read/home', {}, signal)) ?? [];
  },

  /** Every workload / platform / environment, sorted. */
  async environmentPaths(signal?: AbortSignal): Promise<EnvironmentPath[]> {
    return (await getJson<EnvironmentPath[]>('/read/distinct/workloads', {}, signal)) ?? [];
  },

  /** One page of a platform's history, 25 rows unless told (404 ApiError when the page has no rows). */
  async platformPage(
    where: { workload: string; platform: string; page: number; rangeLimit?: number },
    signal?: AbortSignal,
  ): Promise<DeploymentPage> {
    return toPage(
      await getJson<PagedDeployment[]>(
        '/read/platform',
        { ...where, rangeLimit: where.rangeLimit ?? PAGE_SIZE },
        signal,
      ),
    );
  },

  /** One page of an environment's history, 25 rows unless told (404 ApiError when the page has no rows). */
  async environmentPage(
    where: EnvironmentPath & { page: number; rangeLimit?: number },
    signal?: AbortSignal,
  ): Promise<DeploymentPage> {
    return toPage(
      await getJson<PagedDeployment[]>(
        '/read/environment',
        { ...where, rangeLimit: where.rangeLimit ?? PAGE_SIZE },
        signal,
      ),
    );
  },

  /** The raw payload recorded with the newest deployment of that version. */
  async rawPayload(where: EnvironmentPath & { version: string }, signal?: AbortSignal): Promise<string> {
    const body = await getJson<{ raw: string }>('/read/raw', { ...where }, signal);
    return body?.raw ?? '';
  },

  /** Deployments of the last 10 UTC days, counted per day, environment and status. */
  async dailyStatusCounts(signal?: AbortSignal): Promise<DailyStatusCount[]> {
    const rows = (await getJson<DailyStatusCount[]>('/stats/latest', {}, signal)) ?? [];
    return rows.map((row) => ({ ...row, total: Number(row.total) }));
  },

  /** One deployment by its id (404 ApiError when there is none). */
  async deployment(versionId: number, signal?: AbortSignal): Promise<Deployment> {
    const row = await getJson<Deployment>('/read/raw/id', { versionId }, signal);
    if (!row) throw new ApiError(404, `no deployment with versionId ${versionId}`);
    return row;
  },

  /** One page of the deployments matching `query` (`GET /deployments`), newest first. */
  async deployments(query: DeploymentQuery, signal?: AbortSignal): Promise<DeploymentList> {
    const list = await getJson<DeploymentList>('/deployments', withoutBlanks({ ...query }), signal);
    if (!list) throw new ApiError(500, 'The server sent no deployments.');
    return list;
  },

  /** One deployment, whole: row, commit, links, changes and history (404 ApiError when there is none). */
  async wholeDeployment(versionId: number, signal?: AbortSignal): Promise<WholeDeployment> {
    const deployment = await getJson<WholeDeployment>(`/deployments/${versionId}`, {}, signal);
    if (!deployment) throw new ApiError(404, `no deployment with versionId ${versionId}`);
    return deployment;
  },

  /** The deployments before and after one in its environment, and the one running there now. */
  async neighbours(versionId: number, signal?: AbortSignal): Promise<Neighbours> {
    const neighbours = await getJson<Neighbours>(`/deployments/${versionId}/neighbours`, {}, signal);
    if (!neighbours) throw new ApiError(404, `no deployment with versionId ${versionId}`);
    return neighbours;
  },

  /** The deployment running in an environment now (newest successful), whole; 404 ApiError when none. */
  async currentDeployment(where: EnvironmentPath, signal?: AbortSignal): Promise<WholeDeployment> {
    const deployment = await getJson<WholeDeployment>('/deployments/current', { ...where }, signal);
    if (!deployment) throw new ApiError(404, 'no current deployment');
    return deployment;
  },

  /** The commits that reached `from` (PLATFORM/ENVIRONMENT) and not `to`: what that promotion would ship. */
  async compare(
    where: { workload: string; from: string; to: string },
    signal?: AbortSignal,
  ): Promise<Comparison> {
    const comparison = await getJson<Comparison>('/compare', { ...where }, signal);
    if (!comparison) throw new ApiError(500, 'The server sent no comparison.');
    return comparison;
  },

  /** Every status of one deployment with its time, creation first (404 ApiError when there is no such id). */
  async history(versionId: number, signal?: AbortSignal): Promise<HistoryEntry[]> {
    return (await getJson<HistoryEntry[]>('/read/history', { versionId }, signal)) ?? [];
  },

  /** Per workload / platform / environment: what runs there and what was last tried; empty when nothing. */
  async matrix(workload: string | undefined, signal?: AbortSignal): Promise<MatrixEntry[]> {
    return (await getJson<MatrixEntry[]>('/read/matrix', { workload }, signal)) ?? [];
  },

  /** DORA figures over the deployments created in the last `days` days, of the scope. */
  async dora(scope: DoraScope & { days: number }, signal?: AbortSignal): Promise<DoraFigures> {
    const figures = await getJson<DoraFigures>('/stats/dora', { ...scope }, signal);
    if (!figures) throw new ApiError(500, 'The server sent no DORA figures.');
    return figures;
  },

  /** Every platform/environment with deployments, with its tier; empty when nothing was deployed. */
  async environments(signal?: AbortSignal): Promise<EnvironmentTier[]> {
    return (await getJson<EnvironmentTier[]>('/environments', {}, signal)) ?? [];
  },

  /** The API's own description, OpenAPI 3.1. */
  async openApi(signal?: AbortSignal): Promise<OpenApiDocument> {
    const document = await getJson<OpenApiDocument>('/openapi.json', {}, signal);
    if (!document) throw new ApiError(500, 'The server sent no API description.');
    return document;
  },
};
