// What a pipeline uses, run for real: `npm pack` makes the package, `npm install --global` installs it outside
// the repository, its `versions` command serves (API and UI) and records; the GitHub Action's steps and the
// GitLab component's script run against that server with their CI variables simulated; the Grafana dashboard
// parses and asks only for metrics and fields that the server has.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { freePort } from '../helpers/ports.js';

const run = promisify(execFile);

const ROOT = resolve(import.meta.dirname, '../..');
const TOKEN = 'pipeline-write-token-5d2a';
const SHA = '4f2c1e0b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b';

interface Step {
  name?: string;
  id?: string;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
}

interface Action {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

// PostgreSQL, so that the installed package needs no native module (installed with --ignore-scripts: compiling
// better-sqlite3 takes minutes, and is that package's own install, not this one's).
/**
 * The machine's way out to the npm registry (its CA bundle, a proxy), which a runner also has in its
 * environment. Without it, an `npm install --prefix` reads none of the machine's npm configuration, and
 * behind a TLS-intercepting proxy each registry fetch fails its certificate check and retries for minutes.
 */
function networkSettings(): Record<string, string> {
  const names = [
    'NODE_EXTRA_CA_CERTS',
    'SSL_CERT_FILE',
    'npm_config_cafile',
    'npm_config_registry',
    'HTTPS_PROXY',
    'HTTP_PROXY',
    'NO_PROXY',
    'https_proxy',
    'http_proxy',
    'no_proxy',
  ];
  return Object.fromEntries(names.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
}

describe.skipIf(!DIALECTS.includes('postgres'))(
  'the package, the GitHub Action and the GitLab component',
  () => {
    let work: string;
    let tarball: string;
    let cliBin: string;
    let database: TestDatabase;
    let server: { url: string; metricsUrl: string; child: ChildProcess; logs: string[] };
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'versions-pipeline-'));
      // --ignore-scripts: `npm test` has built dist/ already (prepack would only run the same check again).
      const { stdout } = await run(
        'npm',
        ['pack', '--json', '--ignore-scripts', '--pack-destination', work],
        {
          cwd: ROOT,
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      tarball = join(work, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename);
      // The action's own install step installs it, as a workflow's first run would.
      const outputs = await runActionStep(0, { package: tarball });
      cliBin = outputs.path;
      expect(existsSync(join(cliBin, 'versions'))).toBe(true);

      database = await createTestDatabase('postgres');
      if (database.config.dialect !== 'postgres') throw new Error('expected PostgreSQL');
      server = await serve({
        SQL_DRIVER: 'postgres',
        DB_URI: database.config.connectionString,
        APP_API_TOKENS: TOKEN,
      });
    }, 600_000);

    afterAll(async () => {
      if (server?.child.exitCode === null) {
        const exited = new Promise((done) => server.child.once('exit', done));
        server.child.kill('SIGTERM');
        await exited;
      }
      await database?.drop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    /** `versions serve` of the installed package, run from a folder that has nothing of the repository. */
    async function serve(env: Record<string, string>) {
      const cwd = join(work, 'elsewhere');
      mkdirSync(cwd, { recursive: true });
      const child = spawn(join(cliBin, 'versions'), ['serve'], {
        cwd,
        env: {
          PATH: process.env.PATH ?? '',
          APP_HOST: '127.0.0.1',
          APP_PORT: '0',
          // APP_METRICS_PORT=0 turns the endpoint off, so it needs a real port.
          APP_METRICS_PORT: String(await freePort()),
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const logs: string[] = [];
      const listening = await new Promise<{ url: string; metrics: string }>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no start:\n${logs.join('\n')}`)), 60_000);
        for (const stream of [child.stdout, child.stderr]) {
          stream.setEncoding('utf8');
          stream.on('data', (chunk: string) => {
            for (const line of chunk.split('\n').filter(Boolean)) {
              logs.push(line);
              if (line.includes('"versions is listening"')) {
                clearTimeout(timer);
                done(JSON.parse(line) as { url: string; metrics: string });
              }
            }
          });
        }
        child.once('exit', (code) => fail(new Error(`exited with ${code}:\n${logs.join('\n')}`)));
      });
      return { url: listening.url, metricsUrl: listening.metrics, child, logs };
    }

    /**
     * Runs step `index` of action.yml as a runner would: `${{ }}` expressions evaluated, the step's env set, the
     * GITHUB_* files given, and what the step wrote to GITHUB_OUTPUT and GITHUB_PATH read back.
     */
    async function runActionStep(
      index: number,
      inputs: Record<string, string>,
    ): Promise<{ outputs: Record<string, string>; path: string; summary: string }> {
      const step = action.runs.steps[index]!;
      const files = mkdtempSync(join(work, 'step-'));
      const runnerTemp = join(work, 'runner-temp');
      mkdirSync(runnerTemp, { recursive: true });
      const [output, path, env, summary] = ['output', 'path', 'env', 'summary'].map((name) => {
        const file = join(files, name);
        writeFileSync(file, '');
        return file;
      }) as [string, string, string, string];
      const withDefaults = Object.fromEntries(
        Object.entries(action.inputs).map(([name, spec]) => [name, inputs[name] ?? spec.default ?? '']),
      );
      const evaluate = (text: string) =>
        text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_match, expression: string) => {
          const input = /^inputs\.([\w-]+)$/.exec(expression);
          if (input) return withDefaults[input[1]!] ?? '';
          if (expression === 'github.action_path') return ROOT;
          throw new Error(`action.yml uses an expression this test does not know: ${expression}`);
        });
      expect(step.shell).toBe('bash');
      const stepEnv = Object.fromEntries(
        Object.entries(step.env ?? {}).map(([name, value]) => [name, evaluate(String(value))]),
      );
      const result = await run('bash', ['-e', '-c', evaluate(step.run ?? '')], {
        cwd: work,
        env: {
          PATH: [cliBin, process.env.PATH].filter(Boolean).join(':'),
          HOME: process.env.HOME ?? work,
          ...networkSettings(),
          CI: 'true',
          GITHUB_ACTIONS: 'true',
          GITHUB_OUTPUT: output,
          GITHUB_PATH: path,
          GITHUB_ENV: env,
          GITHUB_STEP_SUMMARY: summary,
          GITHUB_ACTION_PATH: ROOT,
          GITHUB_WORKSPACE: work,
          GITHUB_SHA: SHA,
          GITHUB_REF_NAME: 'main',
          GITHUB_REPOSITORY: 'example/shop',
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_ACTOR: 'octocat',
          GITHUB_RUN_ID: '4242',
          GITHUB_RUN_ATTEMPT: '1',
          RUNNER_TEMP: runnerTemp,
          // What `npm ci` cached serves the install; a runner's empty cache would go to the registry.
          npm_config_prefer_offline: 'true',
          ...stepEnv,
        },
        maxBuffer: 16 * 1024 * 1024,
      });
      expect(result.stderr).not.toMatch(/::error/);
      const outputs = Object.fromEntries(
        readFileSync(output, 'utf8')
          .split('\n')
          .filter((line) => line.includes('='))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      return { outputs, path: readFileSync(path, 'utf8').trim(), summary: readFileSync(summary, 'utf8') };
    }

    async function api(path: string): Promise<{ status: number; body: unknown }> {
      const response = await fetch(`${server.url}${path}`);
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    }

    it('packs what the CLI and the server need, and nothing else', async () => {
      const { stdout } = await run('tar', ['-tzf', tarball], { maxBuffer: 16 * 1024 * 1024 });
      const files = stdout
        .split('\n')
        .filter(Boolean)
        .map((file) => file.replace(/^package\//, ''));
      for (const needed of [
        'package.json',
        'README.md',
        'bin/versions.js',
        'dist/src/server.js',
        'dist/src/cli/main.js',
        'dist/src/store/migrations/index.js',
        'dist/web/index.html',
      ]) {
        expect(files).toContain(needed);
      }
      const unexpected = files.filter(
        (file) =>
          !['package.json', 'README.md', 'LICENSE'].includes(file) &&
          !/^bin\/[^/]+\.js$/.test(file) &&
          !/^dist\/(src|web)\//.test(file),
      );
      expect(unexpected).toEqual([]);
      expect(files.filter((file) => /\.(map|ts)$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
    });

    it('installs a `versions` command that helps and serves the API and the UI from any folder', async () => {
      const help = await run(join(cliBin, 'versions'), ['--help']);
      expect(help.stdout).toContain('Usage: versions <command> [options]');
      const serveHelp = await run(join(cliBin, 'versions'), ['serve', '--help']);
      expect(serveHelp.stdout).toContain('Usage: versions serve');

      expect(await api('/api/v1/health')).toEqual({ status: 200, body: { health: 'OK' } });
      const page = await fetch(`${server.url}/ui/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<div id="app"');
      const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      expect((await fetch(`${server.url}${script}`)).status).toBe(200);
    });

    it('runs the action: record, then update the status with the id output, no shell injection', async () => {
      const workload = 'shop-"$(touch INJECTED)"';
      const recorded = await runActionStep(1, {
        url: server.url,
        token: TOKEN,
        workload,
        platform: 'production',
        environment: 'eu',
        version: 'v1.2.3',
        status: 'ongoing',
        'changelog-url': 'https://example.com/shop/releases/v1.2.3',
      });
      const id = recorded.outputs.id;
      expect(id).toMatch(/^\d+$/);
      expect(recorded.summary).toContain(`recorded deployment ${id}`);
      expect(existsSync(join(work, 'INJECTED'))).toBe(false);
      // The step's id output is the action's.
      expect(action.outputs.id?.value).toBe('${{ steps.versions.outputs.id }}');
      expect(action.runs.steps[1]!.id).toBe('versions');

      const updated = await runActionStep(1, {
        url: server.url,
        token: TOKEN,
        id: id!,
        status: 'deployed',
      });
      expect(updated.outputs.id).toBe(id);

      const row = await api(`/api/v1/read/raw/id?versionId=${id}`);
      expect(row).toMatchObject({
        status: 200,
        body: {
          workload,
          platform: 'production',
          environment: 'eu',
          version: 'v1.2.3',
          changelog_url: 'https://example.com/shop/releases/v1.2.3',
          status: 'deployed',
        },
      });
      const history = await api(`/api/v1/read/history?versionId=${id}`);
      expect((history.body as Array<{ status: string }>).map((entry) => entry.status)).toEqual([
        'ongoing',
        'deployed',
      ]);
      // The CLI fills the commit from GitHub's variables where the server records commits (issue 12).
      const whole = await api(`/api/v1/deployments/${id}`);
      if (whole.status === 200 && (whole.body as { commit?: unknown }).commit != null) {
        expect(whole.body).toMatchObject({ commit: SHA });
      }
    });

    it('refuses a status update without a status, and a write without the token', async () => {
      await expect(runActionStep(1, { url: server.url, token: TOKEN, id: '1' })).rejects.toMatchObject({
        code: 2,
        stdout: expect.stringContaining('::error title=versions::the status input is required with id'),
      });
      await expect(
        runActionStep(1, { url: server.url, workload: 'w', platform: 'p', environment: 'e', version: '1' }),
      ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('401') });
    });

    it('runs the GitLab component: spec inputs, then its job script with CI variables', async () => {
      const text = readFileSync(join(ROOT, 'templates/versions.yml'), 'utf8');
      const documents = parseAllDocuments(text);
      expect(documents).toHaveLength(2);
      for (const document of documents) expect(document.errors).toEqual([]);
      const spec = documents[0]!.toJS() as { spec: { inputs: Record<string, { default?: string }> } };
      expect(Object.keys(spec.spec.inputs)).toEqual(
        expect.arrayContaining([
          'url',
          'package',
          'workload',
          'platform',
          'environment',
          'version',
          'status',
          'id',
        ]),
      );
      // Required inputs have no default.
      expect(spec.spec.inputs.url).not.toHaveProperty('default');

      // GitLab interpolates $[[ inputs.x ]] in the job's text before parsing it.
      const inputs: Record<string, string> = {
        url: server.url,
        package: tarball,
        workload: 'shop',
        platform: 'staging',
        environment: 'eu',
        status: 'deployed',
      };
      const jobText = text
        .slice(text.indexOf('\n---\n') + 5)
        .replace(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g, (_m, name: string) => {
          const value = inputs[name] ?? spec.spec.inputs[name]?.default;
          if (value === undefined) throw new Error(`input ${name} has no value`);
          return value;
        });
      const jobs = parse(jobText) as Record<
        string,
        { stage: string; variables: Record<string, string>; script: string[]; artifacts: unknown }
      >;
      const job = jobs.versions!;
      expect(job.stage).toBe('deploy');
      expect(job.artifacts).toEqual({ reports: { dotenv: 'versions.env' } });
      const ci = {
        CI: 'true',
        GITLAB_CI: 'true',
        CI_COMMIT_TAG: 'v2.0.0',
        CI_COMMIT_SHA: SHA,
        CI_COMMIT_REF_NAME: 'v2.0.0',
        CI_PROJECT_URL: 'https://gitlab.example.com/shop/shop',
        CI_JOB_URL: 'https://gitlab.example.com/shop/shop/-/jobs/7',
        GITLAB_USER_LOGIN: 'alice',
        CI_BUILDS_DIR: join(work, 'builds'),
        VERSIONS_TOKEN: TOKEN,
      };
      // Variables expand $VARIABLES of the pipeline, as GitLab does (the version defaults to $CI_COMMIT_TAG).
      const variables = Object.fromEntries(
        Object.entries(job.variables).map(([name, value]) => [
          name,
          String(value).replace(/\$(\w+)/g, (_m, variable: string) => ci[variable as keyof typeof ci] ?? ''),
        ]),
      );
      const jobDir = mkdtempSync(join(work, 'job-'));
      const result = await run('sh', ['-e', '-c', job.script.join('\n')], {
        cwd: jobDir,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? work,
          ...networkSettings(),
          npm_config_prefer_offline: 'true',
          ...ci,
          ...variables,
        },
        maxBuffer: 16 * 1024 * 1024,
      });
      const id = /^VERSIONS_ID=(\d+)$/.exec(readFileSync(join(jobDir, 'versions.env'), 'utf8').trim())?.[1];
      expect(id, result.stdout + result.stderr).toBeDefined();
      expect(await api(`/api/v1/read/raw/id?versionId=${id}`)).toMatchObject({
        status: 200,
        body: {
          workload: 'shop',
          platform: 'staging',
          environment: 'eu',
          version: 'v2.0.0',
          status: 'deployed',
        },
      });
    }, 300_000);

    it('has a Grafana dashboard that imports cleanly and queries metrics and fields that exist', async () => {
      const dashboard = JSON.parse(
        readFileSync(join(ROOT, 'deploy/grafana/versions-dashboard.json'), 'utf8'),
      ) as {
        __inputs: Array<{ name: string; pluginId: string }>;
        uid: string;
        title: string;
        schemaVersion: number;
        panels: Array<{
          id: number;
          type: string;
          gridPos: { x: number; w: number };
          targets: Array<Record<string, unknown>>;
          datasource: { uid: string };
        }>;
        annotations: { list: Array<Record<string, unknown>> };
        templating: { list: Array<{ query: { query: string }; datasource: { uid: string } }> };
      };
      expect(dashboard).toMatchObject({ uid: 'versions-deployments', title: expect.any(String) });
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
      const ids = dashboard.panels.map((panel) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of dashboard.panels) expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      // Every data source is one the import asks for, or Grafana's own.
      const declared = new Set(dashboard.__inputs.map((input) => `\${${input.name}}`));
      const uids = [
        ...dashboard.panels.flatMap((panel) => [
          panel.datasource,
          ...panel.targets.map((target) => target.datasource),
        ]),
        ...dashboard.annotations.list.map((annotation) => annotation.datasource),
        ...dashboard.templating.list.map((variable) => variable.datasource),
      ].map((datasource) => (datasource as { uid: string }).uid);
      for (const uid of uids) expect(declared.has(uid) || uid === '-- Grafana --', uid).toBe(true);

      // Every metric a query names is one the server exposes, after the writes above.
      const scrape = await (await fetch(server.metricsUrl)).text();
      const queries = [
        ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
        ...dashboard.annotations.list.map((annotation) => annotation.expr),
        ...dashboard.templating.list.map((variable) => variable.query.query),
      ].filter((expr): expr is string => typeof expr === 'string');
      expect(queries.length).toBeGreaterThan(5);
      const metrics = new Set(queries.flatMap((expr) => expr.match(/\bversions_[a-z_]+\b/g) ?? []));
      expect([...metrics].sort()).toEqual([
        'versions_deployments_total',
        'versions_last_deployments_by_status',
      ]);
      for (const metric of metrics) expect(scrape).toContain(`# TYPE ${metric} `);
      expect(scrape).toMatch(
        /versions_deployments_total\{workload="shop",platform="staging",environment="eu",status="deployed"\} 1/,
      );

      // The API panels read fields that /stats/dora answers, with the parameters they send.
      const apiTargets = dashboard.panels
        .flatMap((panel) => panel.targets)
        .filter((target) => target.source === 'url') as Array<{
        url: string;
        url_options: { params: Array<{ key: string; value: string }> };
        columns: Array<{ selector: string }>;
      }>;
      expect(apiTargets.length).toBeGreaterThanOrEqual(2);
      for (const target of apiTargets) {
        const query = new URLSearchParams(target.url_options.params.map(({ key, value }) => [key, value]));
        const answer = await api(`${target.url}?${query}`);
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        for (const column of target.columns) expect(answer.body).toHaveProperty(column.selector);
      }
    });
  },
);
