// Every page of the UI, and the menu's list of pages. A new page is a route here (its address, fixed by the
// contract for the original's pages so that bookmarks keep working), a location in router/locations.ts, and
// (when it deserves one) an entry in `menuLinks`.
import type { Component } from 'vue';
import type {
  RouteLocationNormalized,
  RouteLocationRaw,
  RouteParamsGeneric,
  RouteRecordRaw,
  RouteRecordSingleView,
} from 'vue-router';
import { MAX_VERSION_ID } from './api/generated/constants';
import PageLoadError from './components/PageLoadError.vue';
import DeploymentPage from './pages/DeploymentPage.vue';
import EnvironmentPage from './pages/EnvironmentPage.vue';
import HomePage from './pages/HomePage.vue';
import MatrixPage from './pages/MatrixPage.vue';
import NotFoundPage from './pages/NotFoundPage.vue';
import PlatformPage from './pages/PlatformPage.vue';
import RawPage from './pages/RawPage.vue';
import StatisticsPage from './pages/StatisticsPage.vue';
import { pathTo } from './router/locations';

// Pages few visits open, loaded on demand in files of their own, outside the initial bundle. When the file
// cannot be fetched (the server went away, or was updated to a build without it), the page says so.
const onDemand = (loader: () => Promise<{ default: Component }>) => () =>
  loader().catch(() => ({ default: PageLoadError }));

type Params = Record<string, string | undefined>;

/** One page: its name and address, its props from the address (null: no such page), its title. */
interface PageDefinition<Props extends Record<string, unknown>> {
  name: string;
  path: string;
  component: RouteRecordSingleView['component'];
  props?: (params: Params) => Props | null;
  title: (props: Props) => string;
}

/** The parameters as strings; a repeated one (none of these pages has any) keeps its first value. */
function stringParams(params: RouteParamsGeneric): Params {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]),
  );
}

/** The not-found page, at the address asked for (the address the browser shows does not change). */
function notFound(to: RouteLocationNormalized): RouteLocationRaw {
  return {
    name: 'not-found',
    params: { pathMatch: to.path.slice(1).split('/').map(decodeSegment) },
    query: to.query,
    hash: to.hash,
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function page<Props extends Record<string, unknown>>(definition: PageDefinition<Props>): RouteRecordRaw {
  const propsOf = (to: RouteLocationNormalized): Props | null =>
    definition.props ? definition.props(stringParams(to.params)) : ({} as Props);
  return {
    name: definition.name,
    path: definition.path,
    component: definition.component,
    props: (to) => propsOf(to) ?? {},
    // An address of the right shape can still name nothing (page 0, an id past the API's range).
    beforeEnter: (to) => (propsOf(to) ? true : notFound(to)),
    meta: {
      title: (to) => {
        const props = propsOf(to);
        return props ? definition.title(props) : 'Page not found';
      },
    },
  };
}

/** The named parameters, or null when one is missing. */
function required<Name extends string>(params: Params, ...names: Name[]): Record<Name, string> | null {
  const values = {} as Record<Name, string>;
  for (const name of names) {
    const value = params[name];
    if (value === undefined || value === '') return null;
    values[name] = value;
  }
  return values;
}

/** Page 1 when the address has no page number; null (not found) for page 0 or an absurdly large one. */
function pageNumber(segment: string | undefined): number | null {
  if (segment === undefined || segment === '') return 1;
  const page = Number(segment);
  return Number.isSafeInteger(page) && page >= 1 ? page : null;
}

function withPage<Props extends object>(props: Props | null, segment: string | undefined) {
  const page = pageNumber(segment);
  return props && page !== null ? { ...props, page } : null;
}

const pageSuffix = (page: number) => (page > 1 ? ` · page ${page}` : '');

/** A deployment id as the API takes it (its OpenAPI document gives the range). */
function deploymentId(segment: string | undefined): { versionId: number } | null {
  const id = Number(segment);
  return Number.isSafeInteger(id) && id >= 1 && id <= MAX_VERSION_ID ? { versionId: id } : null;
}

export const routes: RouteRecordRaw[] = [
  page({ name: 'home', path: '/', component: HomePage, title: () => 'Latest deployments' }),
  page({
    name: 'statistics',
    path: '/dashboards/deployments',
    component: StatisticsPage,
    title: () => 'Statistics',
  }),
  page({
    name: 'platform',
    path: '/workload/:workload/platform/:platform/:page(\\d+)?',
    component: PlatformPage,
    props: (params) => withPage(required(params, 'workload', 'platform'), params.page),
    title: ({ workload, platform, page }) => `${workload} / ${platform}${pageSuffix(page)}`,
  }),
  page({
    name: 'environment',
    path: '/workload/:workload/platform/:platform/environment/:environment/:page(\\d+)?',
    component: EnvironmentPage,
    props: (params) => withPage(required(params, 'workload', 'platform', 'environment'), params.page),
    title: ({ workload, platform, environment, page }) =>
      `${workload} / ${platform} / ${environment}${pageSuffix(page)}`,
  }),
  page({
    name: 'raw',
    path: '/workload/:workload/platform/:platform/environment/:environment/raw/:version',
    component: RawPage,
    props: (params) => required(params, 'workload', 'platform', 'environment', 'version'),
    title: ({ workload, platform, environment, version }) =>
      `${version} · ${workload} / ${platform} / ${environment}`,
  }),
  // Pages the original never had.
  page({ name: 'matrix', path: '/matrix', component: MatrixPage, title: () => 'Deployed versions' }),
  page({
    name: 'dora',
    path: '/dora',
    component: onDemand(() => import('./pages/DoraPage.vue')),
    title: () => 'DORA metrics',
  }),
  page({
    name: 'deployment',
    path: '/deployment/:versionId(\\d+)',
    component: DeploymentPage,
    props: (params) => deploymentId(params.versionId),
    title: ({ versionId }) => `Deployment #${versionId}`,
  }),
  page({
    name: 'workload',
    path: '/workload/:workload',
    component: onDemand(() => import('./pages/WorkloadPage.vue')),
    props: (params) => required(params, 'workload'),
    title: ({ workload }) => workload,
  }),
  page({
    name: 'compare',
    path: '/workload/:workload/compare',
    component: onDemand(() => import('./pages/ComparePage.vue')),
    props: (params) => required(params, 'workload'),
    title: ({ workload }) => `${workload}: what a promotion would ship`,
  }),
  page({
    name: 'search',
    path: '/search',
    component: onDemand(() => import('./pages/SearchPage.vue')),
    title: () => 'Search',
  }),
  page({
    name: 'api',
    path: '/api',
    component: onDemand(() => import('./pages/ApiDocsPage.vue')),
    title: () => 'API reference',
  }),
  page({
    name: 'audit',
    path: '/audit',
    component: onDemand(() => import('./pages/AuditPage.vue')),
    title: () => 'Audit log',
  }),
  // Any other address under /ui/.
  page({
    name: 'not-found',
    path: '/:pathMatch(.*)*',
    component: NotFoundPage,
    title: () => 'Page not found',
  }),
];

/** An entry of the menu's list of pages (above the workloads). */
export interface MenuLink {
  label: string;
  to: RouteLocationRaw;
}

/** The pages listed above the workloads in the menu. */
export const menuLinks: readonly MenuLink[] = [
  { label: 'Latest deployments', to: pathTo.home() },
  { label: 'Deployed versions', to: pathTo.matrix() },
  { label: 'Statistics', to: pathTo.statistics() },
  { label: 'DORA metrics', to: pathTo.dora() },
  { label: 'Audit log', to: pathTo.audit() },
  { label: 'API reference', to: pathTo.api() },
];
