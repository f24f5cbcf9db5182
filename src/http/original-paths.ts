import type { IncomingMessage } from 'node:http';

// The Go original served its endpoints under /api/v1 in the release its README documents first, and under
// /api/v1/versions in later ones (`router.Group("/api/v1/versions")`, with the same handlers). Pipelines were
// written against both, so the later addresses lead to the same routes. Only the original's own endpoints are
// mapped: everything the rewrite added lives under /api/v1 alone.
const LATER_ORIGINAL_PATH = new RegExp(
  '^/api/v1/versions/(?=(?:healthz?|create|update/status|stats/latest|read/(?:home|distinct/workloads|platform|' +
    'raw(?:/id)?|environment(?:/latest(?:/whatever)?)?))/?(?:\\?|$))',
);

/** The URL a request is routed by: the original's `/api/v1/versions/...` addresses become `/api/v1/...`. */
export function routedUrl(request: IncomingMessage): string {
  const url = request.url ?? '/';
  return LATER_ORIGINAL_PATH.test(url) ? url.replace(LATER_ORIGINAL_PATH, '/api/v1/') : url;
}
