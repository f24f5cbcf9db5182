// Notifications to Slack, Teams, Grafana and webhooks: local HTTP servers stand in for each service and the
// tests assert the exact requests (method, path, headers, payload), the filters, and that a receiver that is
// down or hangs never delays a write.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { Deployment } from '../../src/deployments/deployment.js';
import { DeploymentEvents } from '../../src/events/deployment-events.js';
import { Notifier, startNotifications } from '../../src/notify/notifier.js';
import { compileFilter, type NotifyReceiver } from '../../src/notify/receivers.js';
import { DIALECTS } from '../helpers/databases.js';
import { startServerProcess } from '../helpers/server-process.js';
import { captureLogs, createTestApp, type TestApp } from '../helpers/test-app.js';
import { startRecorder, type Recorder, type RecordedRequest } from './http-recorder.js';

const PUBLIC_URL = 'https://versions.example.com';
const GRAFANA_TOKEN = 'glsa_test-token-3f9c1b';

/** The JSON `APP_NOTIFY` of a team: everything to Slack, production failures to Teams, all to Grafana. */
function notifyConfig(slack: Recorder, teams: Recorder, grafana: Recorder, hook: Recorder) {
  return JSON.stringify([
    { kind: 'slack', url: `${slack.origin}/services/T000/B000/slack-secret-path` },
    {
      kind: 'teams',
      url: `${teams.origin}/workflows/abc/triggers/manual/paths/invoke?sig=teams-secret-sig`,
      filter: { environment: 'prod*', status: ['failed'] },
    },
    { kind: 'grafana', url: `${grafana.origin}/grafana/`, token: GRAFANA_TOKEN },
    { kind: 'webhook', url: `${hook.origin}/hook`, filter: { workload: 'team-{a,b}', platform: 'k8s-*' } },
  ]);
}

describe.each(DIALECTS)('notifications from the app on %s', (dialect) => {
  let t: TestApp;
  let slack: Recorder;
  let teams: Recorder;
  let grafana: Recorder;
  let hook: Recorder;
  let notifier: Notifier | undefined;
  const events = new DeploymentEvents();
  let nextAnnotation = 41;

  beforeAll(async () => {
    [slack, teams, grafana, hook] = await Promise.all([
      startRecorder(),
      startRecorder(),
      startRecorder(),
      startRecorder(),
    ]);
    grafana.answer = (request) =>
      request.method === 'POST'
        ? { status: 200, body: { message: 'Annotation added', id: nextAnnotation++ } }
        : { status: 200, body: { message: 'Annotation patched' } };
    t = await createTestApp(dialect, {
      env: {
        APP_NOTIFY: notifyConfig(slack, teams, grafana, hook),
        APP_PUBLIC_URL: `${PUBLIC_URL}/`,
        APP_WEBHOOK_URLS: `${hook.origin}/legacy`,
        APP_WEBHOOK_SECRET: 'legacy-secret',
      },
      deps: { events },
    });
    notifier = startNotifications(t.config, events, t.app.log as never);
  });
  afterAll(async () => {
    await notifier?.stop(100);
    await t?.close();
    await Promise.all([slack, teams, grafana, hook].map((recorder) => recorder?.close()));
  });

  async function create(payload: Record<string, string>): Promise<Deployment> {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/create', payload });
    expect(response.statusCode, response.body).toBe(201);
    return readRow(response.json().versionId);
  }
  async function setStatus(versionId: number, status: string): Promise<Deployment> {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/update/status',
      payload: { versionId, status },
    });
    expect(response.statusCode, response.body).toBe(200);
    return readRow(versionId);
  }
  async function readRow(versionId: number): Promise<Deployment> {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/read/raw/id',
      query: { versionId: String(versionId) },
    });
    return response.json();
  }

  it('sends Slack, Teams, Grafana and webhooks exactly what each expects, filtered', async () => {
    const started = await create({
      workload: 'team-a',
      platform: 'k8s-eu',
      environment: 'production',
      version: '1.4.0',
      status: 'ongoing',
    });
    const failedAt = Date.now();
    const failed = await setStatus(started.versions_id, 'failed');
    const staging = await create({
      workload: 'team-c',
      platform: 'k8s-eu',
      environment: 'staging',
      version: '1.5.0',
      status: 'failed',
    });
    const id = started.versions_id;
    const link = `${PUBLIC_URL}/ui/deployment/${id}`;

    // Slack: every event, in order, as an incoming-webhook message with blocks and a fallback text.
    const toSlack = await slack.received(3);
    for (const request of toSlack) {
      expect(request).toMatchObject({ method: 'POST', url: '/services/T000/B000/slack-secret-path' });
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['user-agent']).toBe('versions-webhooks/2');
      expect(request.headers.authorization).toBeUndefined();
    }
    expect(toSlack[0]!.json).toEqual({
      text: 'team-a 1.4.0 → k8s-eu/production: ongoing',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: ':hourglass_flowing_sand: *team-a* `1.4.0` → *k8s-eu/production*: *ongoing*',
          },
        },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Workload*\nteam-a' },
            { type: 'mrkdwn', text: '*Environment*\nk8s-eu/production' },
            { type: 'mrkdwn', text: '*Version*\n1.4.0' },
            { type: 'mrkdwn', text: '*Status*\nongoing' },
          ],
        },
        {
          type: 'actions',
          elements: [{ type: 'button', text: { type: 'plain_text', text: `Deployment #${id}` }, url: link }],
        },
      ],
    });
    expect(toSlack[1]!.json).toMatchObject({ text: 'team-a 1.4.0 → k8s-eu/production: failed' });
    expect(JSON.stringify(toSlack[1]!.json)).toContain(':x: *team-a*');
    expect(toSlack[2]!.json).toMatchObject({ text: 'team-c 1.5.0 → k8s-eu/staging: failed' });

    // Teams: only the production failure passes its filter; an Adaptive Card in a message.
    const [toTeams] = await teams.received(1);
    expect(toTeams).toMatchObject({
      method: 'POST',
      url: '/workflows/abc/triggers/manual/paths/invoke?sig=teams-secret-sig',
    });
    expect(toTeams!.headers['content-type']).toBe('application/json');
    expect(toTeams!.json).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              {
                type: 'TextBlock',
                text: 'team-a 1.4.0 → k8s-eu/production: failed',
                weight: 'Bolder',
                size: 'Medium',
                color: 'Attention',
                wrap: true,
              },
              {
                type: 'FactSet',
                facts: [
                  { title: 'Workload', value: 'team-a' },
                  { title: 'Environment', value: 'k8s-eu/production' },
                  { title: 'Version', value: '1.4.0' },
                  { title: 'Status', value: 'failed' },
                ],
              },
            ],
            actions: [{ type: 'Action.OpenUrl', title: `Deployment #${id}`, url: link }],
          },
        },
      ],
    });

    // Grafana: an annotation created at the deployment's start, then its end set at the failure.
    const toGrafana = await grafana.received(3);
    for (const request of toGrafana) {
      expect(request.headers.authorization).toBe(`Bearer ${GRAFANA_TOKEN}`);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers.accept).toBe('application/json');
    }
    const tags = (status: string, workload = 'team-a', environment = 'production') => [
      'versions',
      `workload:${workload}`,
      'platform:k8s-eu',
      `environment:${environment}`,
      `status:${status}`,
    ];
    const anchor = `<br><a href="${link}">deployment #${id}</a>`;
    expect(toGrafana[0]).toMatchObject({ method: 'POST', url: '/grafana/api/annotations' });
    expect(toGrafana[0]!.json).toEqual({
      time: Date.parse(started.date),
      tags: tags('ongoing'),
      text: `team-a 1.4.0 on k8s-eu/production: ongoing${anchor}`,
    });
    expect(toGrafana[1]).toMatchObject({ method: 'PATCH', url: '/grafana/api/annotations/41' });
    const patch = toGrafana[1]!.json as { timeEnd: number };
    expect(patch).toEqual({
      tags: tags('failed'),
      text: `team-a 1.4.0 on k8s-eu/production: failed${anchor}`,
      timeEnd: expect.any(Number),
    });
    expect(patch.timeEnd).toBeGreaterThanOrEqual(failedAt - 5);
    expect(patch.timeEnd).toBeLessThanOrEqual(Date.now());
    // Created as failed: a moment, no region.
    expect(toGrafana[2]).toMatchObject({ method: 'POST', url: '/grafana/api/annotations' });
    expect(toGrafana[2]!.json).toEqual({
      time: Date.parse(staging.date),
      tags: tags('failed', 'team-c', 'staging'),
      text: `team-c 1.5.0 on k8s-eu/staging: failed<br><a href="${PUBLIC_URL}/ui/deployment/${staging.versions_id}">deployment #${staging.versions_id}</a>`,
    });

    // Webhooks: the APP_NOTIFY one takes team-a only; the APP_WEBHOOK_URLS one (unfiltered) takes all three.
    const toHooks = await hook.received(5);
    const filtered = toHooks.filter((request) => request.url === '/hook');
    const legacy = toHooks.filter((request) => request.url === '/legacy');
    expect(filtered.map((request) => request.json)).toMatchObject([
      { event: 'created', deployment: started },
      { event: 'status', deployment: failed },
    ]);
    expect(legacy.map((request) => request.json)).toMatchObject([
      { event: 'created', deployment: started },
      { event: 'status', deployment: failed },
      { event: 'created', deployment: staging },
    ]);
    for (const request of toHooks) expect(request.headers['x-versions-signature']).toMatch(/^sha256=/);

    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([slack, teams, grafana, hook].map((recorder) => recorder.requests.length)).toEqual([3, 1, 3, 5]);
  });

  it('never logs a receiver URL path, query or token', () => {
    const text = JSON.stringify(t.logs);
    for (const secret of ['slack-secret-path', 'teams-secret-sig', GRAFANA_TOKEN, 'legacy-secret']) {
      expect(text).not.toContain(secret);
    }
    expect(
      t.logs.find((line) => line.msg === 'notifications: delivering every create and status change'),
    ).toMatchObject({
      receivers: [
        `#1 ${slack.origin}`,
        `#2 ${teams.origin}`,
        `#3 ${grafana.origin}`,
        `#4 ${hook.origin}`,
        `#5 ${hook.origin}`,
      ],
      kinds: ['slack', 'teams', 'grafana', 'webhook', 'webhook'],
      signed: true,
      links: PUBLIC_URL,
    });
  });
});

describe('a server process with APP_NOTIFY', () => {
  it('notifies Slack and Grafana from the environment alone, and flushes on SIGTERM', async () => {
    const [slack, grafana] = await Promise.all([startRecorder(), startRecorder()]);
    grafana.answer = () => ({ status: 200, body: { id: 5 } });
    const server = await startServerProcess({
      APP_NOTIFY: JSON.stringify([
        { kind: 'slack', url: `${slack.origin}/services/process-secret` },
        { kind: 'grafana', url: grafana.origin, token: GRAFANA_TOKEN, filter: { status: ['failed'] } },
      ]),
      APP_PUBLIC_URL: PUBLIC_URL,
    });
    try {
      const write = (body: object) =>
        fetch(`${server.url}/api/v1/create`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ workload: 'proc', platform: 'p', environment: 'e', ...body }),
        });
      expect((await write({ version: '1' })).status).toBe(201);
      const [first] = await slack.received(1);
      expect(first!.json).toMatchObject({ text: 'proc 1 → p/e: deployed' });
      expect(JSON.stringify(first!.json)).toContain(`${PUBLIC_URL}/ui/deployment/1`);
      // Written just before SIGTERM: delivered by the shutdown's flush; only the failure reaches Grafana.
      expect((await write({ version: '2', status: 'failed' })).status).toBe(201);
      await server.stop();
      expect(slack.requests).toHaveLength(2);
      expect(grafana.requests.map((request) => request.json)).toEqual([
        expect.objectContaining({ tags: expect.arrayContaining(['status:failed']) }),
      ]);
      const logs = server.logs.join('\n');
      expect(logs).not.toContain('process-secret');
      expect(logs).not.toContain(GRAFANA_TOKEN);
    } finally {
      await server.stop();
      await Promise.all([slack.close(), grafana.close()]);
    }
  });
});

describe('a receiver that is down or hangs', () => {
  let t: TestApp;
  let hanging: Recorder;
  let notifier: Notifier;
  const events = new DeploymentEvents();

  beforeAll(async () => {
    hanging = await startRecorder();
    hanging.answer = () => 'hang';
    const down = await startRecorder();
    const downUrl = down.origin;
    await down.close();
    t = await createTestApp('sqlite', { deps: { events } });
    // Production time-outs and retries: each attempt would wait 5 s on the hanging ones.
    notifier = new Notifier({
      receivers: [
        { kind: 'slack', url: `${hanging.origin}/slack` },
        { kind: 'teams', url: `${hanging.origin}/teams` },
        { kind: 'grafana', url: hanging.origin, token: 't' },
        { kind: 'webhook', url: `${hanging.origin}/hook` },
        { kind: 'slack', url: `${downUrl}/slack` },
      ],
      webhookSecret: 's',
      logger: captureLogs().logger,
    });
    notifier.start(events);
  });
  afterAll(async () => {
    await notifier?.stop(0);
    await t?.close();
    await hanging?.close();
  });

  it('does not delay writes', async () => {
    const durations: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/create',
        payload: { workload: 'w', platform: 'p', environment: 'e', version: `1.0.${i}` },
      });
      durations.push(performance.now() - started);
      expect(response.statusCode).toBe(201);
    }
    await hanging.received(4);
    // A write waiting for one of them would take the 5 s time-out; the slowest write is far from it.
    expect(Math.max(...durations)).toBeLessThan(1000);
    // One in flight per hanging receiver, the rest queued; nothing was lost.
    expect(notifier.pending).toBeGreaterThanOrEqual(4 * 20 - 4);
  });
});

describe('grafana annotations', () => {
  const recorders: Recorder[] = [];
  afterEach(async () => {
    await Promise.all(recorders.splice(0).map((recorder) => recorder.close()));
  });

  async function grafana(): Promise<Recorder> {
    const recorder = await startRecorder();
    recorders.push(recorder);
    let id = 100;
    recorder.answer = (request) =>
      request.method === 'POST' ? { status: 200, body: { id: id++ } } : { status: 200, body: {} };
    return recorder;
  }

  it('annotate a status change whose start was not seen as a region, and end a region once', async () => {
    const recorder = await grafana();
    const at = new Date('2026-12-01T12:10:00.000Z');
    const notifier = new Notifier({
      receivers: [{ kind: 'grafana', url: recorder.origin, token: 'tok' }],
      logger: captureLogs().logger,
      now: () => at,
    });
    const older = sample({ versions_id: 7, status: 'deployed', date: '2026-12-01T12:00:00.000Z' });
    notifier.enqueue({ event: 'status', origin: 'local', deployment: older });
    // deployed → completed: the region ended at the first success; later changes only retag it.
    notifier.enqueue({ event: 'status', origin: 'local', deployment: { ...older, status: 'completed' } });
    const [first, second] = (await recorder.received(2)) as [RecordedRequest, RecordedRequest];
    expect(first).toMatchObject({ method: 'POST', url: '/api/annotations' });
    expect(first.json).toMatchObject({
      time: Date.parse('2026-12-01T12:00:00.000Z'),
      timeEnd: at.getTime(),
      tags: ['versions', 'workload:teamG', 'platform:production', 'environment:eu', 'status:deployed'],
      text: 'teamG 2.0.0 on production/eu: deployed',
    });
    expect(second).toMatchObject({ method: 'PATCH', url: '/api/annotations/100' });
    expect(second.json).not.toHaveProperty('timeEnd');
    expect(second.json).toMatchObject({ tags: expect.arrayContaining(['status:completed']) });
    await notifier.stop(100);
  });

  it('keep a bounded number of annotation ids', async () => {
    const { grafanaFormatter } = await import('../../src/notify/grafana.js');
    const recorder = await grafana();
    const formatter = grafanaFormatter(recorder.origin, 'tok', undefined, 2);
    const notifier = new Notifier({
      receivers: [{ kind: 'grafana', url: recorder.origin, token: 'tok' }],
      logger: captureLogs().logger,
    });
    // The notifier's own formatter remembers 10,000; this one, two, driven the way the notifier drives it.
    for (const id of [1, 2, 3]) {
      const message = formatter.format(
        notifyEvent('created', sample({ versions_id: id, status: 'ongoing' })),
        'd',
      )!;
      const request = message.request(1)!;
      const answer = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
      message.delivered?.(await answer.text());
    }
    const forgotten = formatter.format(
      notifyEvent('status', sample({ versions_id: 1, status: 'failed' })),
      'd',
    )!;
    expect(forgotten.request(1)).toMatchObject({ method: 'POST' });
    const remembered = formatter.format(
      notifyEvent('status', sample({ versions_id: 3, status: 'failed' })),
      'd',
    )!;
    expect(remembered.request(1)).toMatchObject({
      method: 'PATCH',
      url: `${recorder.origin}/api/annotations/102`,
    });
    await notifier.stop(0);
  });
});

describe('deployer and commit', () => {
  it('appear in every kind of message when the row carries them', async () => {
    const recorder = await startRecorder();
    const receivers: NotifyReceiver[] = [
      { kind: 'slack', url: `${recorder.origin}/slack` },
      { kind: 'teams', url: `${recorder.origin}/teams` },
      { kind: 'grafana', url: recorder.origin, token: 'tok' },
    ];
    const notifier = new Notifier({ receivers, logger: captureLogs().logger, publicUrl: PUBLIC_URL });
    const deployment = {
      ...sample({ versions_id: 9, status: 'deployed' }),
      deployer: 'alice <ops>',
      commit: '0123456789abcdef0123456789abcdef01234567',
      logURL: 'https://ci.example.com/jobs/7',
      environmentURL: 'javascript:alert(1)',
    };
    notifier.enqueue({ event: 'created', origin: 'local', deployment });
    const requests = await recorder.received(3);
    const byPath = Object.fromEntries(requests.map((request) => [request.url, JSON.stringify(request.json)]));
    expect(byPath['/slack']).toContain('*Deployer*\\nalice &lt;ops&gt;');
    expect(byPath['/slack']).toContain('*Commit*\\n`0123456`');
    expect(byPath['/teams']).toContain('{"title":"Deployer","value":"alice <ops>"}');
    expect(byPath['/teams']).toContain('{"title":"Commit","value":"0123456"}');
    expect(byPath['/api/annotations']).toContain('by alice &lt;ops&gt; (commit 0123456)');
    // The log is a button; a link that is not http(s) never is.
    expect(byPath['/slack']).toContain('"text":"Log"},"url":"https://ci.example.com/jobs/7"');
    expect(byPath['/teams']).toContain(
      '{"type":"Action.OpenUrl","title":"Log","url":"https://ci.example.com/jobs/7"}',
    );
    expect(byPath['/api/annotations']).toContain('<a href=\\"https://ci.example.com/jobs/7\\">log</a>');
    for (const text of Object.values(byPath)) expect(text).not.toContain('javascript:');
    await notifier.stop(100);
    await recorder.close();
  });
});

describe('APP_NOTIFY', () => {
  it('reads a JSON array, or a file named with @', () => {
    const receivers = [
      { kind: 'slack', url: 'https://hooks.slack.com/services/T/B/x', filter: { status: ['Failed'] } },
    ];
    expect(loadConfig({ APP_NOTIFY: JSON.stringify(receivers) }).notify).toEqual([
      { kind: 'slack', url: 'https://hooks.slack.com/services/T/B/x', filter: { status: ['failed'] } },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'versions-notify-'));
    writeFileSync(join(dir, 'notify.json'), JSON.stringify(receivers));
    expect(loadConfig({ APP_NOTIFY: '@notify.json' }, dir).notify).toHaveLength(1);
    expect(loadConfig({}).notify).toEqual([]);
  });

  it.each([
    ['{"kind":"slack"}', /^APP_NOTIFY must be a JSON array of receivers$/],
    ['[{"kind":"slack","url":"https://hooks.slack.com/services/SECRET"', /^APP_NOTIFY must be a JSON array/],
    [
      '[{"kind":"discord","url":"https://x.example"}]',
      /^APP_NOTIFY entry #1 \(discord\): "kind" must be one of slack, teams, grafana, webhook$/,
    ],
    [
      '[{"kind":"slack","url":"https://a.example"},{"kind":"teams","url":"ftp://SECRET/x"}]',
      /^APP_NOTIFY entry #2 \(teams\): "url" must be an http\(s\) URL \(got ftp:\)$/,
    ],
    [
      '[{"kind":"grafana","url":"https://g.example"}]',
      /^APP_NOTIFY entry #1 \(grafana\): "token" is required/,
    ],
    [
      '[{"kind":"slack","url":"https://a.example","token":"SECRET"}]',
      /entry #1 \(slack\): "token" is for grafana receivers/,
    ],
    [
      '[{"kind":"slack","url":"https://a.example","filters":{}}]',
      /entry #1 \(slack\): unknown field "filters"/,
    ],
    ['[{"kind":"slack","url":"https://a.example","filter":{"env":"x"}}]', /unknown filter "env"/],
    [
      '[{"kind":"slack","url":"https://a.example","filter":{"status":"failed"}}]',
      /filter "status" must be a non-empty array/,
    ],
    ['@/nonexistent/notify.json', /^APP_NOTIFY cannot read the file \/nonexistent\/notify.json \(ENOENT\)$/],
  ])('stops start-up on %s, naming the entry and never a secret', (value, message) => {
    let error: unknown;
    try {
      loadConfig({ APP_NOTIFY: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('SECRET');
  });

  it('takes APP_PUBLIC_URL without its trailing slash and refuses anything else', () => {
    expect(loadConfig({ APP_PUBLIC_URL: 'https://v.example.com/tools/versions/' }).publicUrl).toBe(
      'https://v.example.com/tools/versions',
    );
    expect(() => loadConfig({ APP_PUBLIC_URL: 'v.example.com' })).toThrow(/APP_PUBLIC_URL must be/);
  });

  it('filters by globs and statuses', () => {
    const test = compileFilter({
      workload: 'team-*',
      environment: '{prod,production}',
      status: ['successful'],
    });
    const subject = { workload: 'team-a', platform: 'k8s', environment: 'prod', status: 'deployed' };
    expect(test(subject)).toBe(true);
    expect(test({ ...subject, status: 'completed' })).toBe(true);
    expect(test({ ...subject, status: 'failed' })).toBe(false);
    expect(test({ ...subject, environment: 'production' })).toBe(true);
    expect(test({ ...subject, environment: 'preprod' })).toBe(false);
    expect(test({ ...subject, workload: 'other' })).toBe(false);
    // A `*` spans every character, `/` included: names are not paths.
    expect(compileFilter({ platform: 'eu-*' })({ ...subject, platform: 'eu-west/1' })).toBe(true);
    expect(compileFilter(undefined)(subject)).toBe(true);
  });
});

function sample(fields: Partial<Deployment>): Deployment {
  return {
    versions_id: 1,
    workload: 'teamG',
    platform: 'production',
    environment: 'eu',
    version: '2.0.0',
    changelog_url: 'N/A',
    raw: 'N/A',
    status: 'deployed',
    date: '2026-12-01T12:00:00.000Z',
    ...fields,
  };
}

function notifyEvent(event: 'created' | 'status', deployment: Deployment) {
  const json = JSON.stringify({ event, deployment });
  return { event, deployment, at: new Date(), json: () => json };
}
