import type { FastifyInstance } from 'fastify';

/** Placeholder until the web UI lands: `/` redirects to `/ui/`. */
export async function uiRoutes(app: FastifyInstance, _opts: { root: string }): Promise<void> {
  app.get('/', (_request, reply) => reply.redirect('/ui/', 308));
}
