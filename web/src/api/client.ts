import type { DailyStatusCount, Deployment, DeploymentPage, EnvironmentPath, PagedDeployment } from './types';
import { readToken, tokenRequired } from './read-token';

const API_ROOT = '/api/v1';

/** Rows per page of a platform's or an environment's history. */
export const PAGE_SIZE = 25;

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

type Query = Record<string, string | number>;

/** GETs a JSON resource; resolves to null on 204 No Content, throws ApiError on any other failure. */
async function getJson<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T | null> {
  const search = new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)]));
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

  /** One page of a platform's history (404 ApiError when the page has no rows). */
  async platformPage(
    where: { workload: string; platform: string; page: number },
    signal?: AbortSignal,
  ): Promise<DeploymentPage> {
    return toPage(
      await getJson<PagedDeployment[]>('/read/platform', { ...where, rangeLimit: PAGE_SIZE }, signal),
    );
  },

  /** One page of an environment's history (404 ApiError when the page has no rows). */
  async environmentPage(
    where: EnvironmentPath & { page: number },
    signal?: AbortSignal,
  ): Promise<DeploymentPage> {
    return toPage(
      await getJson<PagedDeployment[]>('/read/environment', { ...where, rangeLimit: PAGE_SIZE }, signal),
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
};
