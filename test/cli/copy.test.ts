// `versions copy`: a SQLite store filled through the API is copied into PostgreSQL and into MariaDB, and every
// read endpoint of the OpenAPI document answers the same on the copy as on the original; ids continue after
// the copied ones; a target that already holds deployments is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { DialectName } from '../../src/config.js';
import { DIALECTS, createTestDatabase, databaseEnv, type TestDatabase } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, env, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

const WORKLOADS = ['teamA', 'teamB'];
const PLATFORMS = ['staging', 'production'];
const ENVIRONMENTS = ['eu-west', 'us-east'];
const STATUSES = ['ongoing', 'deployed', 'completed', 'failed'];

/** Values for the required parameters of the read endpoints; a new required parameter must be added here. */
const PARAMETERS: Record<string, string> = {
  workload: 'teamA',
  platform: 'production',
  environment: 'eu-west',
  version: '1.0.2',
  versionId: '6',
  page: '1',
  rangeLimit: '10',
  from: 'staging',
  to: 'production',
};
/** Not reads of the store: health names the database, the event stream never ends, the document is static. */
const NOT_COMPARED = new Set(['/api/v1/healthz', '/api/v1/events', '/api/v1/openapi.json']);
/** Fields that tell when the answer was computed (a window ending now), left out of the comparison. */
const CLOCK_FIELDS = new Set(['from', 'to']);
/** The seed's first deployment: within the last 30 days, so that the DORA window sees the whole history. */
const FIRST_DAY = Date.now() - 25 * 86_400_000;

/** A store with history: 24 deployments over 8 environments, each but the newest moved on to a final status. */
async function seed(t: TestApp): Promise<void> {
  let day = 1;
  for (const workload of WORKLOADS) {
    for (const platform of PLATFORMS) {
      for (const environment of ENVIRONMENTS) {
        for (const patch of [0, 1, 2]) {
          const created = await t.app.inject({
            method: 'POST',
            url: '/api/v1/create',
            payload: {
              workload,
              platform,
              environment,
              version: `1.0.${patch}`,
              status: 'ongoing',
              changelogURL: patch === 1 ? `https://example.com/${workload}/1.0.1` : undefined,
              raw: JSON.stringify({ build: day }),
              date: new Date(FIRST_DAY + day * 3_600_000 + 123).toISOString(),
            },
          });
          expect(created.statusCode, created.body).toBe(201);
          const { versionId } = created.json<{ versionId: number }>();
          if (patch < 2) {
            const updated = await t.app.inject({
              method: 'POST',
              url: '/api/v1/update/status',
              payload: { versionId, status: STATUSES[(day % 3) + 1] },
            });
            expect(updated.statusCode, updated.body).toBe(200);
          }
          day += 1;
        }
      }
    }
  }
}

/** Every GET of the OpenAPI document that reads the store, with its required parameters filled in. */
async function readRequests(t: TestApp): Promise<string[]> {
  const document = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{
    paths: Record<string, { get?: { parameters?: Array<{ in: string; name: string; required?: boolean }> } }>;
  }>();
  const urls: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    if (!item.get || NOT_COMPARED.has(path)) continue;
    let url = path;
    const query = new URLSearchParams();
    for (const parameter of item.get.parameters ?? []) {
      if (!parameter.required) continue;
      const value = PARAMETERS[parameter.name];
      if (value === undefined) throw new Error(`no test value for ${path}'s parameter ${parameter.name}`);
      if (parameter.in === 'path') url = url.replace(`{${parameter.name}}`, value);
      else query.set(parameter.name, value);
    }
    urls.push(query.size > 0 ? `${url}?${query}` : url);
  }
  return urls;
}

async function answers(
  t: TestApp,
  urls: string[],
): Promise<Record<string, { status: number; body: string }>> {
  const result: Record<string, { status: number; body: string }> = {};
  for (const url of urls) {
    const response = await t.app.inject({ method: 'GET', url });
    result[url] = { status: response.statusCode, body: withoutClock(response.body) };
  }
  return result;
}

function withoutClock(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return body;
    return JSON.stringify(
      Object.fromEntries(Object.entries(parsed).filter(([key]) => !CLOCK_FIELDS.has(key))),
    );
  } catch {
    return body;
  }
}

/**
 * `actual` with each number that is within 2 ms of `expected`'s replaced by it: figures such as DORA's median
 * durations are computed by each database's own arithmetic (SQLite's julianday is a floating day count),
 * which can round the last millisecond apart. Any other difference stays.
 */
function withFiguresOf(expected: string, actual: string): string {
  const close = (want: unknown, got: unknown): unknown => {
    if (typeof want === 'number' && typeof got === 'number')
      return Math.abs(want - got) <= 0.002 ? want : got;
    if (Array.isArray(want) && Array.isArray(got)) return got.map((item, index) => close(want[index], item));
    if (want && got && typeof want === 'object' && typeof got === 'object') {
      const wanted = want as Record<string, unknown>;
      return Object.fromEntries(Object.entries(got).map(([key, value]) => [key, close(wanted[key], value)]));
    }
    return got;
  };
  try {
    return JSON.stringify(close(JSON.parse(expected), JSON.parse(actual)));
  } catch {
    return actual;
  }
}

describe('versions copy', () => {
  let sourceDb: TestDatabase;
  let urls: string[];
  let before: Record<string, { status: number; body: string }>;

  beforeAll(async () => {
    sourceDb = await createTestDatabase('sqlite');
    const source = await createTestApp('sqlite', { database: sourceDb });
    await seed(source);
    urls = await readRequests(source);
    before = await answers(source, urls);
    await source.close();
  });

  afterAll(async () => {
    await sourceDb?.drop();
  });

  it('reads a store whose reads answer (most of them 200), DORA figures included', () => {
    expect(urls.length).toBeGreaterThanOrEqual(15);
    const ok = Object.values(before).filter((answer) => answer.status === 200).length;
    expect(ok).toBeGreaterThanOrEqual(urls.length - 2);
    expect(JSON.parse(before['/api/v1/stats/dora']!.body)).toMatchObject({ deployments: expect.any(Number) });
    expect(JSON.parse(before['/api/v1/stats/dora']!.body).deployments).toBeGreaterThan(0);
  });

  const targets = (['postgres', 'mysql'] as DialectName[]).filter((dialect) => DIALECTS.includes(dialect));
  describe.each(targets)('into %s', (dialect) => {
    let targetDb: TestDatabase;
    let target: TestApp | undefined;
    let to: string[];

    beforeAll(async () => {
      targetDb = await createTestDatabase(dialect);
      // PostgreSQL by URL; MariaDB by the Go driver's DSN, which needs --to-driver.
      const uri = databaseEnv(targetDb.config).DB_URI!;
      to = dialect === 'mysql' ? ['--to', uri, '--to-driver', 'mysql'] : ['--to', uri];
    });

    afterAll(async () => {
      await target?.close();
      await targetDb?.drop();
    });

    const file = () => (sourceDb.config.dialect === 'sqlite' ? sourceDb.config.file : '');

    it('copies every table, then every read answers as before', async () => {
      const copied = await cli(['copy', '--from', `sqlite:${file()}`, ...to]);
      expect(copied.stderr).toBe('');
      expect(copied.code).toBe(0);
      expect(copied.stdout).toContain('versions: 24 rows copied');
      expect(copied.stdout).toContain('versions_status_history: 40 rows copied');
      expect(copied.stdout).toContain('versions_environments: 8 rows copied');
      expect(copied.stdout).toMatch(/copied 24 deployments; row counts equal in every table\n$/);

      target = await createTestApp(dialect, { database: targetDb });
      const after = await answers(target, urls);
      for (const url of urls) {
        const expected = before[url]!;
        const answer = { ...after[url]!, body: withFiguresOf(expected.body, after[url]!.body) };
        // Both through JSON.stringify, so that only the content is compared.
        const normalized = { ...expected, body: withFiguresOf(expected.body, expected.body) };
        expect({ url, ...answer }).toEqual({ url, ...normalized });
      }
    });

    it('continues the ids after the copied ones', async () => {
      const created = await target!.app.inject({
        method: 'POST',
        url: '/api/v1/create',
        payload: { workload: 'teamC', platform: 'production', environment: 'eu-west', version: '2.0.0' },
      });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json()).toEqual({ versionId: 25 });
      const updated = await target!.app.inject({
        method: 'POST',
        url: '/api/v1/update/status',
        payload: { versionId: 25, status: 'deployed' },
      });
      expect(updated.statusCode, updated.body).toBe(200);
    });

    it('refuses a target that already holds deployments, and leaves it as it was', async () => {
      const again = await cli(['copy', '--from', `sqlite:${file()}`, ...to]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(
        /the target already holds 25 deployments: copy only into an empty database/,
      );
      const home = await target!.app.inject({ method: 'GET', url: '/api/v1/read/distinct/workloads' });
      expect(home.body).toContain('teamC');
    });
  });

  it('refuses a missing source file and bad addresses with a usage error naming the option', async () => {
    const missing = await cli([
      'copy',
      '--from',
      'sqlite:/nonexistent/versions.sqlite',
      '--to',
      'postgres://x/y',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/the SQLite file \/nonexistent\/versions.sqlite does not exist/);

    const noScheme = await cli(['copy', '--from', '/tmp/x.sqlite', '--to', 'postgres://x/y']);
    expect(noScheme.code).toBe(2);
    expect(noScheme.stderr).toMatch(/--from must be sqlite:PATH/);

    const goDsn = await cli([
      'copy',
      '--from',
      'sqlite:/tmp/x.sqlite',
      '--to',
      'root:@tcp(127.0.0.1:3306)/db',
    ]);
    expect(goDsn.code).toBe(2);
    expect(goDsn.stderr).toMatch(/add --to-driver mysql/);

    const driver = await cli([
      'copy',
      '--from',
      'sqlite:/tmp/x.sqlite',
      '--to',
      'x',
      '--to-driver',
      'oracle',
    ]);
    expect(driver.code).toBe(2);
    expect(driver.stderr).toMatch(/--to-driver must be postgres or mysql, not 'oracle'/);

    const noTo = await cli(['copy', '--from', 'sqlite:/tmp/x.sqlite']);
    expect(noTo.code).toBe(2);
    expect(noTo.stderr).toMatch(/missing required option --to/);
  });
});
