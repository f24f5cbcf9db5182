import { fillPattern, matchPattern, pathWithinBase } from './router';

/** The addresses of the pages; fixed by the contract so that bookmarks of the original keep working. */
export const PATTERNS = {
  home: '/',
  statistics: '/dashboards/deployments',
  platform: '/workload/:workload/platform/:platform/:page(\\d+)?',
  environment: '/workload/:workload/platform/:platform/environment/:environment/:page(\\d+)?',
  raw: '/workload/:workload/platform/:platform/environment/:environment/raw/:version',
  // Pages the original never had.
  matrix: '/matrix',
  dora: '/dora',
  deployment: '/deployment/:versionId(\\d+)',
  api: '/api',
  workload: '/workload/:workload',
  search: '/search',
  compare: '/workload/:workload/compare',
  audit: '/audit',
} as const;

export interface PlatformAddress {
  workload: string;
  platform: string;
}

export interface EnvironmentAddress extends PlatformAddress {
  environment: string;
}

/** Page 1 has the shorter address, as in the original. */
function pageSegment(page: number | undefined): string | undefined {
  return page !== undefined && page > 1 ? String(page) : undefined;
}

/** `?a=1&b=2` from the parameters that have a value, or `''`. */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Builds the address of each page. */
export const pathTo = {
  home: (): string => fillPattern(PATTERNS.home),
  statistics: (): string => fillPattern(PATTERNS.statistics),
  platform: ({ workload, platform }: PlatformAddress, page?: number): string =>
    fillPattern(PATTERNS.platform, { workload, platform, page: pageSegment(page) }),
  environment: ({ workload, platform, environment }: EnvironmentAddress, page?: number): string =>
    fillPattern(PATTERNS.environment, { workload, platform, environment, page: pageSegment(page) }),
  raw: ({ workload, platform, environment }: EnvironmentAddress, version: string): string =>
    fillPattern(PATTERNS.raw, { workload, platform, environment, version }),
  /** What runs where, of one workload when given. */
  matrix: (filter: { workload?: string } = {}): string =>
    fillPattern(PATTERNS.matrix) + queryString({ workload: filter.workload }),
  /** DORA figures over the last `days` days (the page's default when not given), of one workload when given. */
  dora: (filter: { days?: number; workload?: string; tier?: string } = {}): string =>
    fillPattern(PATTERNS.dora) +
    queryString({ days: filter.days, workload: filter.workload, tier: filter.tier }),
  deployment: (versionId: number): string =>
    fillPattern(PATTERNS.deployment, { versionId: String(versionId) }),
  api: (): string => fillPattern(PATTERNS.api),
  /** One workload: what runs in each environment, then its whole history. */
  workload: (workload: string): string => fillPattern(PATTERNS.workload, { workload }),
  /** What the header's search box finds for `q`. */
  search: (q: string): string => fillPattern(PATTERNS.search) + queryString({ q }),
  /** What promoting `from` to `to` (each PLATFORM/ENVIRONMENT) would ship. */
  compare: (workload: string, from: string, to: string): string =>
    fillPattern(PATTERNS.compare, { workload }) + queryString({ from, to }),
  /** Every write (created, status, deleted) with who made it, newest first. */
  audit: (): string => fillPattern(PATTERNS.audit),
};

/** Which workload, platform and environment an address shows, for the menu to open and highlight them. */
export interface TreePosition {
  page: 'platform' | 'environment' | 'raw';
  workload: string;
  platform: string;
  environment?: string;
}

export function treePositionOf(fullPath: string): TreePosition | null {
  const path = pathWithinBase(fullPath);
  for (const page of ['platform', 'environment', 'raw'] as const) {
    const params = matchPattern(PATTERNS[page], path);
    if (params?.workload !== undefined && params.platform !== undefined) {
      return { page, workload: params.workload, platform: params.platform, environment: params.environment };
    }
  }
  return null;
}
