// Every page of the UI, and the menu's list of pages. A new page is a pattern in router/paths.ts, a route
// here, and (when it deserves one) an entry in `menuLinks`.
import { defineAsyncComponent, type Component } from 'vue';
import LoadingState from './components/LoadingState.vue';
import PageLoadError from './components/PageLoadError.vue';
import HomePage from './pages/HomePage.vue';
import DeploymentPage from './pages/DeploymentPage.vue';
import EnvironmentPage from './pages/EnvironmentPage.vue';
import MatrixPage from './pages/MatrixPage.vue';
import PlatformPage from './pages/PlatformPage.vue';
import RawPage from './pages/RawPage.vue';
import StatisticsPage from './pages/StatisticsPage.vue';
import { PATTERNS, pathTo } from './router/paths';
import { defineRoute, type MenuLink, type Route } from './router/router';

// Pages few visits open, loaded on demand in files of their own, outside the initial bundle.
const onDemand = (loader: () => Promise<{ default: Component }>) =>
  defineAsyncComponent({
    loader,
    loadingComponent: LoadingState,
    errorComponent: PageLoadError,
    delay: 150,
  });
const DoraPage = onDemand(() => import('./pages/DoraPage.vue'));
const ApiDocsPage = onDemand(() => import('./pages/ApiDocsPage.vue'));
const WorkloadPage = onDemand(() => import('./pages/WorkloadPage.vue'));
const SearchPage = onDemand(() => import('./pages/SearchPage.vue'));
const ComparePage = onDemand(() => import('./pages/ComparePage.vue'));
const AuditPage = onDemand(() => import('./pages/AuditPage.vue'));

type Params = Record<string, string | undefined>;

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
  if (segment === undefined) return 1;
  const page = Number(segment);
  return Number.isSafeInteger(page) && page >= 1 ? page : null;
}

function withPage<Props extends object>(props: Props | null, segment: string | undefined) {
  const page = pageNumber(segment);
  return props && page !== null ? { ...props, page } : null;
}

const pageSuffix = (page: number) => (page > 1 ? ` · page ${page}` : '');

/** A deployment id as the API takes it: 1 to 2^31 − 1. */
function deploymentId(segment: string | undefined): { versionId: number } | null {
  const id = Number(segment);
  return Number.isSafeInteger(id) && id >= 1 && id <= 2_147_483_647 ? { versionId: id } : null;
}

export const routes: readonly Route[] = [
  defineRoute({
    pattern: PATTERNS.home,
    component: HomePage,
    props: () => ({}),
    title: () => 'Latest deployments',
  }),
  defineRoute({
    pattern: PATTERNS.statistics,
    component: StatisticsPage,
    props: () => ({}),
    title: () => 'Statistics',
  }),
  defineRoute({
    pattern: PATTERNS.platform,
    component: PlatformPage,
    props: (params) => withPage(required(params, 'workload', 'platform'), params.page),
    title: ({ workload, platform, page }) => `${workload} / ${platform}${pageSuffix(page)}`,
  }),
  defineRoute({
    pattern: PATTERNS.environment,
    component: EnvironmentPage,
    props: (params) => withPage(required(params, 'workload', 'platform', 'environment'), params.page),
    title: ({ workload, platform, environment, page }) =>
      `${workload} / ${platform} / ${environment}${pageSuffix(page)}`,
  }),
  defineRoute({
    pattern: PATTERNS.raw,
    component: RawPage,
    props: (params) => required(params, 'workload', 'platform', 'environment', 'version'),
    title: ({ workload, platform, environment, version }) =>
      `${version} · ${workload} / ${platform} / ${environment}`,
  }),
  defineRoute({
    pattern: PATTERNS.matrix,
    component: MatrixPage,
    props: () => ({}),
    title: () => 'Deployed versions',
  }),
  defineRoute({
    pattern: PATTERNS.dora,
    component: DoraPage,
    props: () => ({}),
    title: () => 'DORA metrics',
  }),
  defineRoute({
    pattern: PATTERNS.deployment,
    component: DeploymentPage,
    props: (params) => deploymentId(params.versionId),
    title: ({ versionId }) => `Deployment #${versionId}`,
  }),
  defineRoute({
    pattern: PATTERNS.workload,
    component: WorkloadPage,
    props: (params) => required(params, 'workload'),
    title: ({ workload }) => workload,
  }),
  defineRoute({
    pattern: PATTERNS.compare,
    component: ComparePage,
    props: (params) => required(params, 'workload'),
    title: ({ workload }) => `${workload}: what a promotion would ship`,
  }),
  defineRoute({
    pattern: PATTERNS.search,
    component: SearchPage,
    props: () => ({}),
    title: () => 'Search',
  }),
  defineRoute({
    pattern: PATTERNS.api,
    component: ApiDocsPage,
    props: () => ({}),
    title: () => 'API reference',
  }),
  defineRoute({
    pattern: PATTERNS.audit,
    component: AuditPage,
    props: () => ({}),
    title: () => 'Audit log',
  }),
];

/** The pages listed above the workloads in the menu. */
export const menuLinks: readonly MenuLink[] = [
  { label: 'Latest deployments', href: pathTo.home() },
  { label: 'Deployed versions', href: pathTo.matrix() },
  { label: 'Statistics', href: pathTo.statistics() },
  { label: 'DORA metrics', href: pathTo.dora() },
  { label: 'Audit log', href: pathTo.audit() },
  { label: 'API reference', href: pathTo.api() },
];
