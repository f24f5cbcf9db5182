// Serves the built web UI (web/ → dist/web) under /ui/. The UI routes on the client side, so every address
// under /ui/ that is not a file gets index.html; hashed assets are cached for a year, index.html never.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/** Vite names every file under assets/ after a hash of its content: such a file never changes. */
const HASHED_ASSETS = 'assets/';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>versions: the web UI is not built</title></head>
<body>
<h1>The web UI is not built</h1>
<p>This server has no built UI to serve. Build it with <code>npm run build</code> (or start the service with
<code>npm start</code>, which builds what is missing), then reload this page.</p>
<p>The API works meanwhile: <a href="/api/v1/read/home">/api/v1/read/home</a>.</p>
</body>
</html>
`;

export interface UiRoutesOptions {
  /** The folder Vite builds into (dist/web), holding index.html and assets/. */
  root: string;
}

/** `/` → `/ui/`; `/ui/...` → a file of `root`, else index.html; a 503 page while the UI is not built. */
export async function uiRoutes(app: FastifyInstance, opts: UiRoutesOptions): Promise<void> {
  const root = resolve(opts.root);
  if (!existsSync(resolve(root, 'index.html'))) {
    app.log.warn({ root }, 'the web UI is not built: /ui/ answers 503 until `npm run build` has run');
  }

  // Only the reply.sendFile decorator: the routes below decide what each address serves.
  await app.register(fastifyStatic, {
    root,
    serve: false,
    preCompressed: true,
    cacheControl: false,
    suppressWarning: true,
  });

  app.get('/', (_request, reply) => reply.redirect('/ui/', 308));

  // The app ignores trailing slashes, so this route answers both `/ui` and `/ui/`; only the second is the page
  // (the UI's relative links and the browser's idea of the base need the slash).
  app.get('/ui', (request, reply) => {
    const [path, query] = request.url.split('?', 2);
    if (path === '/ui') return reply.redirect(`/ui/${query === undefined ? '' : `?${query}`}`, 308);
    return sendIndex(reply, root);
  });

  app.get<{ Params: { '*': string } }>('/ui/*', async (request, reply) => {
    const file = request.params['*'];
    if (file !== '' && (await isFileWithin(root, file))) {
      if (file.startsWith(HASHED_ASSETS)) {
        return reply.sendFile(file, { cacheControl: true, maxAge: ONE_YEAR_MS, immutable: true });
      }
      reply.header('cache-control', 'no-cache');
      return reply.sendFile(file);
    }
    // A missing hashed asset is a stale page asking for an old build: a 404, not the page's HTML.
    if (file.startsWith(HASHED_ASSETS)) return reply.callNotFound();
    return sendIndex(reply, root);
  });
}

async function sendIndex(reply: FastifyReply, root: string): Promise<FastifyReply> {
  reply.header('cache-control', 'no-cache');
  if (!(await isFileWithin(root, 'index.html'))) {
    return reply.code(503).type('text/html; charset=utf-8').header('retry-after', '30').send(NOT_BUILT_PAGE);
  }
  // The Content-Security-Policy and the other security headers come from src/http/security-headers.ts.
  return reply.sendFile('index.html');
}

/** True when `path` names a regular file inside `root` (never outside it, whatever `..` it holds). */
async function isFileWithin(root: string, path: string): Promise<boolean> {
  const absolute = resolve(root, path);
  if (!absolute.startsWith(root + sep)) return false;
  try {
    return (await stat(absolute)).isFile();
  } catch {
    return false;
  }
}
