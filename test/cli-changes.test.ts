// `versions record` finds the change by itself: the CLI as a real process inside a temporary git repository
// whose commits have fixed committer dates, against a real server, with GitHub Actions and GitLab CI
// variables simulated; a shallow clone; --no-changes; flags winning over detection.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsUrlOf } from '../src/cli/change-detection.js';
import { startServerProcess, type ServerProcess } from './helpers/server-process.js';

const BIN = join(process.cwd(), 'bin/versions.js');
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Ada Lovelace',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada Lovelace',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
};

function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...GIT_ENV, ...env },
    encoding: 'utf8',
  }).trim();
}

/** A commit of a new file at that committer (and author) date; returns its SHA. */
function commit(repo: string, title: string, date: string): string {
  writeFileSync(join(repo, `${title.replace(/\W/g, '-')}.txt`), title);
  git(repo, ['add', '.']);
  git(repo, ['commit', '-q', '-m', title], { GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date });
  return git(repo, ['rev-parse', 'HEAD']);
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

describe('versions record in a git checkout, against a real server', () => {
  let server: ServerProcess;
  let repo: string;
  const shas: string[] = [];
  beforeAll(async () => {
    server = await startServerProcess();
    repo = mkdtempSync(join(tmpdir(), 'versions-git-'));
    git(repo, ['init', '-q', '-b', 'main']);
    git(repo, ['remote', 'add', 'origin', 'git@github.com:acme/shop.git']);
    shas.push(commit(repo, 'First commit', '2026-11-01T10:00:00+00:00'));
    shas.push(commit(repo, 'Add cart', '2026-11-02T10:00:00+02:00'));
  });
  afterAll(async () => {
    await server?.stop();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  const record = (argv: string[], env: Record<string, string> = {}, cwd = repo): Promise<Outcome> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'record', ...argv], {
        cwd,
        env: { PATH: process.env.PATH ?? '', VERSIONS_URL: server.url, ...GIT_ENV, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  const whole = async (id: string) => {
    const response = await fetch(`${server.url}/api/v1/deployments/${id.trim()}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown> & { changes: Array<Record<string, unknown>> };
  };
  const env = (environment: string, version: string) => [
    '--workload',
    'shop',
    '--platform',
    'prod',
    '--environment',
    environment,
    '--version',
    version,
  ];

  it('sends HEAD, its branch and origin as https, and HEAD alone as the first change', async () => {
    const first = await record(env('eu', '1.0.0'));
    expect(first.code, first.stderr).toBe(0);
    expect(await whole(first.stdout)).toMatchObject({
      commit: shas[1],
      ref: 'main',
      repository: 'https://github.com/acme/shop',
      deployer: null,
      changes: [
        {
          commit: shas[1],
          committedAt: '2026-11-02T08:00:00.000Z',
          title: 'Add cart',
          author: 'Ada Lovelace',
        },
      ],
    });
  });

  it('sends the commits since the one running there, with their committer dates', async () => {
    shas.push(commit(repo, 'Fix the login redirect', '2026-11-03T09:30:00Z'));
    shas.push(commit(repo, 'Speed up search', '2026-11-04T12:00:00-05:00'));
    const second = await record(env('eu', '1.1.0'));
    expect(second.code, second.stderr).toBe(0);
    const body = await whole(second.stdout);
    expect(body.commit).toBe(shas[3]);
    expect(body.changes).toEqual([
      {
        commit: shas[3],
        committedAt: '2026-11-04T17:00:00.000Z',
        title: 'Speed up search',
        author: 'Ada Lovelace',
      },
      {
        commit: shas[2],
        committedAt: '2026-11-03T09:30:00.000Z',
        title: 'Fix the login redirect',
        author: 'Ada Lovelace',
      },
    ]);
    // Lead time: every change reached eu, so the DORA figures count them (3 commits in the window).
    const dora = (await (await fetch(`${server.url}/api/v1/stats/dora?workload=shop&days=3650`)).json()) as {
      changes: number;
    };
    expect(dora.changes).toBe(3);
  });

  it('takes GitHub Actions variables over git, and flags over both', async () => {
    const github = {
      GITHUB_ACTIONS: 'true',
      GITHUB_SHA: shas[3] ?? '',
      GITHUB_REF_NAME: 'release/1.2',
      GITHUB_SERVER_URL: 'https://github.example.com',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_ACTOR: 'octocat',
      GITHUB_RUN_ID: '4242',
    };
    const run = await record([...env('us', '1.2.0'), '--description', 'Hotfix', '--ref', 'hotfix'], github);
    expect(run.code, run.stderr).toBe(0);
    expect(await whole(run.stdout)).toMatchObject({
      commit: shas[3],
      ref: 'hotfix',
      repository: 'https://github.example.com/acme/shop',
      deployer: 'octocat',
      logURL: 'https://github.example.com/acme/shop/actions/runs/4242',
      description: 'Hotfix',
    });
  });

  it('takes GitLab CI variables, and --no-changes sends none', async () => {
    const gitlab = {
      GITLAB_CI: 'true',
      CI_COMMIT_SHA: shas[2] ?? '',
      CI_COMMIT_REF_NAME: 'main',
      CI_PROJECT_URL: 'https://gitlab.example.com/acme/shop',
      GITLAB_USER_LOGIN: 'grace',
      CI_JOB_URL: 'https://gitlab.example.com/acme/shop/-/jobs/77',
      CI_ENVIRONMENT_URL: 'https://staging.shop.example.com',
    };
    const run = await record([...env('staging', '1.1.0'), '--no-changes'], gitlab);
    expect(run.code, run.stderr).toBe(0);
    expect(await whole(run.stdout)).toMatchObject({
      commit: shas[2],
      ref: 'main',
      repository: 'https://gitlab.example.com/acme/shop',
      deployer: 'grace',
      logURL: 'https://gitlab.example.com/acme/shop/-/jobs/77',
      environmentURL: 'https://staging.shop.example.com',
      changes: [],
    });
    // Without --no-changes the range ends at the commit deployed, not at HEAD.
    const next = await record(env('staging', '1.1.1'), { ...gitlab, CI_COMMIT_SHA: shas[3] ?? '' });
    expect((await whole(next.stdout)).changes.map((change) => change.commit)).toEqual([shas[3]]);
  });

  it('sends the deployed commit alone, with a hint, from a shallow clone lacking the running commit', async () => {
    const shallow = mkdtempSync(join(tmpdir(), 'versions-shallow-'));
    try {
      // eu runs shas[3]; the clone holds only the newer commit.
      shas.push(commit(repo, 'Only commit of the clone', '2026-11-05T00:00:00Z'));
      git(tmpdir(), ['clone', '-q', '--depth', '1', `file://${repo}`, shallow]);
      const run = await record(env('eu', '1.2.0'), {}, shallow);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('fetch-depth: 0');
      expect((await whole(run.stdout)).changes.map((change) => change.commit)).toEqual([shas[4]]);
    } finally {
      rmSync(shallow, { recursive: true, force: true });
    }
  });

  it('turns remotes into their https address, never sending credentials', () => {
    expect(httpsUrlOf('git@gitlab.com:group/sub/project.git')).toBe('https://gitlab.com/group/sub/project');
    expect(httpsUrlOf('ssh://git@git.example.com:2222/acme/shop.git')).toBe(
      'https://git.example.com/acme/shop',
    );
    expect(httpsUrlOf('https://user:secret@github.com/acme/shop.git')).toBe('https://github.com/acme/shop');
    expect(httpsUrlOf('http://gitea.local:3000/acme/shop')).toBe('http://gitea.local:3000/acme/shop');
    expect(httpsUrlOf('/srv/git/shop.git')).toBeUndefined();
  });
});
