import { fillPattern, matchPattern, pathWithinBase } from './router';

/** The addresses of the pages; fixed by the contract so that bookmarks of the original keep working. */
export const PATTERNS = {
  home: '/',
  statistics: '/dashboards/deployments',
  platform: '/workload/:workload/platform/:platform/:page(\\d+)?',
  environment: '/workload/:workload/platform/:platform/environment/:environment/:page(\\d+)?',
  raw: '/workload/:workload/platform/:platform/environment/:environment/raw/:version',
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
