import type { FastifyInstance } from 'fastify';

/**
 * Parses a query string or a form body (`a=1&b=2`) keeping the first value of a repeated field, as the Go
 * original did: Gin binds `form.Get(name)`, so `platform=a&platform=c` means platform `a`. Pipelines that append
 * fields in a loop send such bodies. Used for both query strings and forms, so every endpoint agrees; JSON bodies
 * never come here, and a JSON array where a string belongs stays a 400.
 */
export function parseFirstValues(text: string): Record<string, string> {
  // The platform's URLSearchParams decodes as browsers and Go's url.ParseQuery do ('+' is a space); a
  // prototype-less object keeps a field named __proto__ an ordinary field.
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(text)) {
    if (!(name in fields)) fields[name] = value;
  }
  return fields;
}

/**
 * A POST that is a form, or has no body, also takes its fields from the query string, as Gin's form binding
 * did (it reads Go's `Request.Form`: the body's fields first, then the query string's), so that
 * `curl -XPOST '.../update/status?versionId=14&status=deployed'` keeps working. A JSON body takes nothing from
 * the query string, as Gin's JSON binding took nothing.
 */
export function installQueryFieldsInForms(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.method !== 'POST' || !request.routeOptions.schema?.body) return;
    const query = request.query as Record<string, string> | undefined;
    if (!query || Object.keys(query).length === 0) return;
    const isForm = /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '');
    if (request.body === undefined) request.body = { ...query };
    else if (isForm) request.body = { ...query, ...(request.body as Record<string, string>) };
  });
}
