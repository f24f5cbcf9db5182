import { shallowRef, type Component } from 'vue';

/** Where the UI is served from, without the trailing slash: `/ui`. */
export const UI_BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

/** The path the browser shows, e.g. `/ui/workload/teamX/platform/production`. */
export const currentPath = shallowRef(window.location.pathname);

/** The query string the browser shows, `?status=failed` or `''`: filters that can be shared as a link. */
export const currentSearch = shallowRef(window.location.search);

/** Incremented on every navigation made inside the app (not on the first load). */
export const navigationCount = shallowRef(0);

/** What the app renders for a path. */
export interface ResolvedRoute {
  component: Component;
  props: Record<string, unknown>;
  title: string;
}

/** An entry of the menu's list of pages (above the workloads). */
export interface MenuLink {
  label: string;
  href: string;
}

/** A page of the app: an address pattern and what to render for it. */
export interface Route {
  pattern: string;
  resolve(path: string): ResolvedRoute | null;
}

export interface RouteDefinition<Props extends Record<string, unknown>> {
  /**
   * Address under the base. `:name` matches one segment; `:name(regex)` constrains it; a trailing `?` makes
   * the segment optional: `/workload/:workload/platform/:platform/:page(\\d+)?`.
   */
  pattern: string;
  component: Component;
  /** The component's props from the decoded parameters; null when they make no sense (the page is not found). */
  props(params: Record<string, string | undefined>): Props | null;
  /** The document title, without the application name. */
  title(props: Props): string;
}

/** Ties a pattern to its page with typed props. */
export function defineRoute<Props extends Record<string, unknown>>(
  definition: RouteDefinition<Props>,
): Route {
  return {
    pattern: definition.pattern,
    resolve(path) {
      const params = matchPattern(definition.pattern, path);
      if (!params) return null;
      const props = definition.props(params);
      if (!props) return null;
      return { component: definition.component, props, title: definition.title(props) };
    },
  };
}

const PARAMETER = /\/:(\w+)(?:\(([^)]+)\))?(\?)?/g;

/** The decoded parameters when `path` (without the base) fits `pattern`, else null. */
export function matchPattern(pattern: string, path: string): Record<string, string | undefined> | null {
  const names: string[] = [];
  const source = pattern.replace(PARAMETER, (_, name: string, constraint?: string, optional?: string) => {
    names.push(name);
    const group = `/(${constraint ?? '[^/]+'})`;
    return optional ? `(?:${group})?` : group;
  });
  const match = new RegExp(`^${source}/?$`).exec(path);
  if (!match) return null;
  try {
    return Object.fromEntries(
      names.map((name, index) => {
        const value = match[index + 1];
        return [name, value === undefined ? undefined : decodeURIComponent(value)];
      }),
    );
  } catch {
    return null; // a malformed %-escape: no page has that address
  }
}

/** The full address (with the base) of `pattern` filled with `params`; an undefined optional one is left out. */
export function fillPattern(pattern: string, params: Record<string, string | undefined> = {}): string {
  const path = pattern.replace(PARAMETER, (_, name: string, _constraint, optional?: string) => {
    const value = params[name];
    if (value === undefined) {
      if (optional) return '';
      throw new Error(`missing parameter ${name} for ${pattern}`);
    }
    return `/${encodeURIComponent(value)}`;
  });
  return `${UI_BASE}${path}`;
}

/** The path without the base, as the patterns see it. */
export function pathWithinBase(fullPath: string): string {
  if (fullPath === UI_BASE) return '/';
  return fullPath.startsWith(`${UI_BASE}/`) ? fullPath.slice(UI_BASE.length) : fullPath;
}

/** The first route fitting the current path, or null (not found). */
export function resolveRoute(routes: readonly Route[], fullPath: string): ResolvedRoute | null {
  const path = pathWithinBase(fullPath);
  for (const route of routes) {
    const resolved = route.resolve(path);
    if (resolved) return resolved;
  }
  return null;
}

/**
 * Shows another page of the app without reloading it. A change of the query string alone (a filter) keeps the
 * page, its scroll position and the focus where they are; so does `keepFocus` (a form that changes the address).
 */
export function navigate(href: string, options: { replace?: boolean; keepFocus?: boolean } = {}): void {
  const url = new URL(href, window.location.href);
  if (url.origin !== window.location.origin) {
    window.location.assign(url.href);
    return;
  }
  const samePath = url.pathname === currentPath.value;
  if (samePath && url.search === currentSearch.value && !options.replace) return;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  currentPath.value = url.pathname;
  currentSearch.value = url.search;
  if (samePath || options.keepFocus) return;
  navigationCount.value += 1;
  window.scrollTo(0, 0);
}

/** Follows the browser's back and forward buttons. */
export function listenToHistory(): void {
  window.addEventListener('popstate', () => {
    const samePath = window.location.pathname === currentPath.value;
    currentPath.value = window.location.pathname;
    currentSearch.value = window.location.search;
    // Going back over a filter change, or to an anchor of the same page, is not a new page.
    if (!samePath) navigationCount.value += 1;
  });
}
