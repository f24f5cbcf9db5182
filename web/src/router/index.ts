// The router: vue-router over the browser's history, under the base the UI is served from (`/ui/`). The pages
// and their addresses are in ../routes.ts; this file adds what every navigation does besides showing the
// page: the document title, the scroll position and, for keyboard and screen-reader users, the focus.
import { nextTick } from 'vue';
import { createRouter, createWebHistory, START_LOCATION, type RouteLocationNormalized } from 'vue-router';
import { routes } from '../routes';
import { focusPageHeading, keepsPlace } from './focus';
import { queryOf, searchParamsOf } from './locations';

declare module 'vue-router' {
  interface RouteMeta {
    /** The document title of the page at `to`, without the application name. */
    title?: (to: RouteLocationNormalized) => string;
  }
}

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
  // The original's addresses are case-sensitive: `/ui/Dashboards/deployments` is not a page.
  sensitive: true,
  // Query strings read and written as URLSearchParams does, as the addresses always were (`env=prod%2Feu`).
  parseQuery: (search) => queryOf(new URLSearchParams(search)),
  stringifyQuery: (query) => searchParamsOf(query ?? {}).toString(),
  scrollBehavior(to, from, savedPosition) {
    // Back and forward return where the viewer was.
    if (savedPosition) return savedPosition;
    // A filter (the query string alone) or a form that changes the address keeps the page where it is.
    if (to.path === from.path || keepsPlace()) return false;
    return { top: 0 };
  },
});

router.afterEach((to, from, failure) => {
  if (failure) return;
  document.title = `${to.meta.title?.(to) ?? 'Page not found'} · versions`;
  // Not on the first load (the browser starts at the top of the document), nor for a filter or a form.
  if (from === START_LOCATION || to.path === from.path || keepsPlace()) return;
  // Keyboard and screen-reader users land on the new page's heading once it is rendered.
  void nextTick(focusPageHeading);
});
