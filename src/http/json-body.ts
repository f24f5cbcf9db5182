import type { FastifyInstance } from 'fastify';
import { badRequest } from '../errors.js';

/**
 * Deepest nesting of arrays and objects a JSON body may have. Payloads people record (Kubernetes manifests,
 * CI event payloads) nest a few dozen levels at most; thousands of levels only serve to exhaust the stack of
 * whatever walks the value later (JSON.stringify of an object `raw` did: a 500).
 */
export const MAX_JSON_DEPTH = 100;

/**
 * Parses JSON bodies with Fastify's own parser (secure-json-parse, prototype poisoning refused) after a depth
 * check, so that a deeply nested body is a 400 naming the limit instead of a stack overflow further on.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (jsonDepth(text) > MAX_JSON_DEPTH) {
      done(
        badRequest(`the body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`),
        undefined,
      );
      return;
    }
    void parse(request, text, done);
  });
}

/**
 * How deep arrays and objects nest in a JSON text (brackets inside strings do not count). Neither
 * secure-json-parse nor JSON.parse has a depth option, and this scan allocates nothing, so the check is
 * written here. Malformed text gets some figure; the parser reports what is wrong with it.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c)
        index++; // backslash: the next character is escaped
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b || code === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (code === 0x5d || code === 0x7d) {
      depth--;
    }
  }
  return deepest;
}
