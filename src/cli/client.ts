/** Settings of one CLI invocation's conversation with the server. */
export interface ClientSettings {
  /** Where the server is, e.g. `https://versions.example.com` (a path prefix behind a proxy is kept). */
  baseUrl: URL;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token: string | undefined;
  /** How many times a request that met a network error or a 5xx is tried again. */
  retries: number;
  /** Per-try limit, so a server that accepts the connection and never answers cannot hang a pipeline. */
  timeoutMs: number;
  /** Delay before the first retry; it doubles on each further one. */
  retryDelayMs: number;
  /** Receives one line per retry, so a slow pipeline step says why it is slow. */
  notice: (line: string) => void;
}

/** The server refused the request (4xx, or 5xx after every retry) or could not be reached: exit code 1. */
export class RequestFailedError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RequestFailedError';
  }
}

type Query = Record<string, string>;

/** A small client of the `/api/v1` HTTP API over the global `fetch`, with time-outs and retries. */
export class VersionsClient {
  constructor(private readonly settings: ClientSettings) {}

  /** POSTs a JSON body; resolves to the parsed JSON answer of a 2xx. */
  post(path: string, body: Record<string, unknown>): Promise<unknown> {
    return this.send('POST', this.urlOf(path), JSON.stringify(body));
  }

  /** GETs with a query string; resolves to the parsed JSON answer of a 2xx. */
  get(path: string, query: Query): Promise<unknown> {
    const url = this.urlOf(path);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return this.send('GET', url, undefined);
  }

  private urlOf(path: string): URL {
    // Appended rather than resolved with `new URL(path, base)`, which would drop a prefix such as
    // `https://tools.example.com/versions` of a server published behind a reverse proxy.
    const url = new URL(this.settings.baseUrl.href);
    url.pathname = url.pathname.replace(/\/+$/, '') + path;
    return url;
  }

  private async send(method: 'GET' | 'POST', url: URL, body: string | undefined): Promise<unknown> {
    const { retries, retryDelayMs, timeoutMs, token, notice } = this.settings;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const where = `${method} ${displayUrl(url)}`;

    for (let attempt = 1; ; attempt += 1) {
      let reason: string;
      try {
        const response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
        const text = await response.text();
        if (response.ok) return parseJson(text);
        reason = refusal(response.status, text);
        // A 4xx will not change by asking again; a 5xx may be a restart or a database blip.
        if (response.status < 500 || attempt > retries) throw new RequestFailedError(reason, response.status);
      } catch (error) {
        if (error instanceof RequestFailedError) throw error;
        reason = networkFailure(error, timeoutMs);
        if (attempt > retries) throw new RequestFailedError(`cannot reach the server (${where}): ${reason}`);
      }
      const delayMs = retryDelayMs * 2 ** (attempt - 1);
      notice(`${where}: ${reason}; retrying in ${delayMs / 1000} s (retry ${attempt} of ${retries})`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** The URL without user name and password, fit for a message. */
function displayUrl(url: URL): string {
  const shown = new URL(url.href);
  shown.username = '';
  shown.password = '';
  shown.search = '';
  return shown.href;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** "the server answered 404: no deployment of teamX/production/production", from `{"error": ...}`. */
function refusal(status: number, text: string): string {
  const answer = parseJson(text);
  if (
    typeof answer === 'object' &&
    answer !== null &&
    'error' in answer &&
    typeof answer.error === 'string'
  ) {
    return `the server answered ${status}: ${answer.error}`;
  }
  const excerpt = text.trim().replace(/\s+/g, ' ').slice(0, 200);
  return `the server answered ${status}${excerpt ? `: ${excerpt}` : ''}`;
}

function networkFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError')
    return `no answer within ${timeoutMs / 1000} s`;
  // fetch reports every network problem as "fetch failed"; the cause says which (ECONNREFUSED, ENOTFOUND...).
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && cause.message) return cause.message;
  if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}
