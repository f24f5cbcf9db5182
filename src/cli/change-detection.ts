// What `versions record` finds out by itself about the change it records: from GitHub Actions' or GitLab
// CI's variables, else from git in the working directory; and, with a git checkout, the commits the
// deployment brings (`git log <commit running there>..<commit deployed>`).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The detail fields /create takes, as far as they are known. */
export interface DetectedDetails {
  commit?: string;
  ref?: string;
  repository?: string;
  deployer?: string;
  logURL?: string;
  environmentURL?: string;
}

export interface DetectedChange {
  commit: string;
  committedAt: string;
  title: string;
  author: string;
}

/** Most commits sent: the server takes at most 1000. */
const MAX_CHANGES = 1000;
const MAX_TITLE = 500;
const MAX_AUTHOR = 100;

/** The details a CI system's variables tell, or undefined outside GitHub Actions and GitLab CI. */
export function detailsFromCi(env: NodeJS.ProcessEnv): DetectedDetails | undefined {
  const value = (name: string) => {
    const text = env[name]?.trim();
    return text ? text : undefined;
  };
  if (value('GITHUB_ACTIONS') === 'true' || value('GITHUB_SHA')) {
    const server = value('GITHUB_SERVER_URL') ?? 'https://github.com';
    const repository = value('GITHUB_REPOSITORY') && `${server}/${value('GITHUB_REPOSITORY')}`;
    const runId = value('GITHUB_RUN_ID');
    return {
      commit: value('GITHUB_SHA'),
      ref: value('GITHUB_REF_NAME'),
      repository,
      deployer: value('GITHUB_ACTOR'),
      logURL: repository && runId ? `${repository}/actions/runs/${runId}` : undefined,
    };
  }
  if (value('GITLAB_CI') === 'true' || value('CI_COMMIT_SHA')) {
    return {
      commit: value('CI_COMMIT_SHA'),
      ref: value('CI_COMMIT_REF_NAME'),
      repository: value('CI_PROJECT_URL'),
      deployer: value('GITLAB_USER_LOGIN'),
      logURL: value('CI_JOB_URL'),
      environmentURL: value('CI_ENVIRONMENT_URL'),
    };
  }
  return undefined;
}

/** git in `cwd`: undefined when git is missing or `cwd` is no checkout. */
export class GitCheckout {
  private constructor(
    private readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** The checkout around `cwd`, or undefined. */
  static async open(cwd: string, env: NodeJS.ProcessEnv): Promise<GitCheckout | undefined> {
    const checkout = new GitCheckout(cwd, env);
    return (await checkout.git('rev-parse', '--is-inside-work-tree')) === 'true' ? checkout : undefined;
  }

  /** HEAD, its branch (none when detached) and `origin` as an https URL. */
  async details(): Promise<DetectedDetails> {
    const [commit, branch, origin] = await Promise.all([
      this.git('rev-parse', 'HEAD'),
      this.git('rev-parse', '--abbrev-ref', 'HEAD'),
      this.git('remote', 'get-url', 'origin'),
    ]);
    return {
      commit,
      ref: branch && branch !== 'HEAD' ? branch : undefined,
      repository: origin ? httpsUrlOf(origin) : undefined,
    };
  }

  /** True when the clone holds that commit (a shallow clone may not). */
  async has(commit: string): Promise<boolean> {
    return (await this.git('cat-file', '-e', `${commit}^{commit}`)) !== undefined;
  }

  /**
   * The commits reachable from `to` and not from `from`, newest first, with committer dates; the commit `to`
   * alone without `from`.
   */
  async changes(from: string | undefined, to: string): Promise<DetectedChange[]> {
    const range = from === undefined ? ['-n', '1', to] : ['-n', String(MAX_CHANGES), `${from}..${to}`];
    // Fields split by the unit separator, records by the record separator: titles may hold anything else.
    const log = await this.git('log', '--format=%H%x1f%cI%x1f%an%x1f%s%x1e', ...range);
    if (!log) return [];
    return log
      .split('\x1e')
      .map((record) => record.trim())
      .filter((record) => record !== '')
      .map((record) => {
        const [commit = '', committedAt = '', author = '', title = ''] = record.split('\x1f');
        return {
          commit,
          committedAt,
          title: [...title].slice(0, MAX_TITLE).join(''),
          author: [...author].slice(0, MAX_AUTHOR).join(''),
        };
      });
  }

  /** A git command's trimmed output, or undefined when it fails (git missing, no such ref...). */
  private async git(...args: string[]): Promise<string | undefined> {
    try {
      const { stdout } = await run('git', args, {
        cwd: this.cwd,
        env: this.env,
        maxBuffer: 16 * 1024 * 1024,
      });
      return stdout.trim();
    } catch {
      return undefined;
    }
  }
}

/**
 * The https address of a git remote: `git@github.com:acme/shop.git`, `ssh://git@host:22/acme/shop.git` and
 * `https://user:secret@host/acme/shop.git` all become `https://host/acme/shop` (credentials dropped, never
 * sent). Undefined for what has no web address (a local path).
 */
export function httpsUrlOf(remote: string): string | undefined {
  const trimmed = remote.trim();
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(trimmed);
  let host: string;
  let path: string;
  if (scp && !/^[a-z]+:\/\//i.test(trimmed)) {
    host = scp[1] ?? '';
    path = scp[2] ?? '';
  } else {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      return undefined;
    }
    if (!['http:', 'https:', 'ssh:', 'git:'].includes(url.protocol) || url.hostname === '') return undefined;
    // An http remote keeps its port (a self-hosted server); ssh and git ports say nothing of the web one.
    host = url.protocol === 'http:' || url.protocol === 'https:' ? url.host : url.hostname;
    path = url.pathname;
    if (url.protocol === 'http:') return `http://${host}/${cleanPath(path)}`;
  }
  return `https://${host}/${cleanPath(path)}`;
}

function cleanPath(path: string): string {
  return path
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}
