// Where each page is, as vue-router locations by route name: links and `router.push` take them, and vue-router
// fills and encodes the addresses (the patterns are written once, in ../routes.ts).
import { computed, type ComputedRef } from 'vue';
import { useRoute, type LocationQuery, type LocationQueryRaw, type RouteLocationNamedRaw } from 'vue-router';

export interface PlatformAddress {
  workload: string;
  platform: string;
}

export interface EnvironmentAddress extends PlatformAddress {
  environment: string;
}

/** Page 1 has the shorter address, as in the original. */
function pageParam(page: number | undefined): { page?: string } {
  return page !== undefined && page > 1 ? { page: String(page) } : {};
}

/** The query without its empty fields: an unset filter is not in the address. */
function present(query: Record<string, string | number | undefined | null>): LocationQueryRaw {
  return Object.fromEntries(
    Object.entries(query).flatMap(([name, value]) =>
      value === undefined || value === null || value === '' ? [] : [[name, String(value)]],
    ),
  );
}

/** The location of each page. */
export const pathTo = {
  home: (): RouteLocationNamedRaw => ({ name: 'home' }),
  statistics: (): RouteLocationNamedRaw => ({ name: 'statistics' }),
  platform: ({ workload, platform }: PlatformAddress, page?: number): RouteLocationNamedRaw => ({
    name: 'platform',
    params: { workload, platform, ...pageParam(page) },
  }),
  environment: (
    { workload, platform, environment }: EnvironmentAddress,
    page?: number,
  ): RouteLocationNamedRaw => ({
    name: 'environment',
    params: { workload, platform, environment, ...pageParam(page) },
  }),
  raw: ({ workload, platform, environment }: EnvironmentAddress, version: string): RouteLocationNamedRaw => ({
    name: 'raw',
    params: { workload, platform, environment, version },
  }),
  /** What runs where, of one workload when given. */
  matrix: (filter: { workload?: string } = {}): RouteLocationNamedRaw => ({
    name: 'matrix',
    query: present({ workload: filter.workload }),
  }),
  /** DORA figures over the last `days` days (the page's default when not given), of one workload when given. */
  dora: (filter: { days?: number; workload?: string; tier?: string } = {}): RouteLocationNamedRaw => ({
    name: 'dora',
    query: present({ days: filter.days, workload: filter.workload, tier: filter.tier }),
  }),
  deployment: (versionId: number): RouteLocationNamedRaw => ({
    name: 'deployment',
    params: { versionId: String(versionId) },
  }),
  api: (): RouteLocationNamedRaw => ({ name: 'api' }),
  /** One workload: what runs in each environment, then its whole history. */
  workload: (workload: string): RouteLocationNamedRaw => ({ name: 'workload', params: { workload } }),
  /** What the header's search box finds for `q`. */
  search: (q: string): RouteLocationNamedRaw => ({ name: 'search', query: present({ q }) }),
  /** What promoting `from` to `to` (each PLATFORM/ENVIRONMENT) would ship. */
  compare: (workload: string, from: string, to: string): RouteLocationNamedRaw => ({
    name: 'compare',
    params: { workload },
    query: present({ from, to }),
  }),
  /** Every write (created, status, deleted) with who made it, newest first. */
  audit: (): RouteLocationNamedRaw => ({ name: 'audit' }),
};

/** A route's query as URLSearchParams (a repeated field keeps every value), for pages that read filters. */
export function searchParamsOf(query: LocationQuery | LocationQueryRaw): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== null && item !== undefined) params.append(name, String(item));
    }
  }
  return params;
}

/** URLSearchParams as a route query: a repeated field becomes a list. */
export function queryOf(params: URLSearchParams): LocationQuery {
  const query: Record<string, string[]> = {};
  for (const [name, value] of params) (query[name] ??= []).push(value);
  return Object.fromEntries(
    Object.entries(query).map(([name, values]) => [name, values.length === 1 ? (values[0] ?? '') : values]),
  );
}

/** The current route's query as URLSearchParams, following navigations. */
export function useSearchParams(): ComputedRef<URLSearchParams> {
  const route = useRoute();
  return computed(() => searchParamsOf(route.query));
}
