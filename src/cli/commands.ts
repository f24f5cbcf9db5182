import { readFile } from 'node:fs/promises';
import { RequestFailedError, type VersionsClient } from './client.js';
import { requiredOption, stringOption, UsageError, type OptionSpecs, type OptionValues } from './usage.js';
import { STORE_COMMANDS } from './store-commands.js';
import { changeOf, DETAIL_OPTIONS } from './record-change.js';

/** What a command gets once its command line has been parsed and checked. */
export interface CommandContext {
  values: OptionValues;
  positionals: string[];
  /** The environment of the run (process.env in real use). */
  env: NodeJS.ProcessEnv;
  /** The API client, built from --url/--token/... and VERSIONS_URL/VERSIONS_TOKEN; only for server commands. */
  client: () => VersionsClient;
  /** Writes one line of the command's result to stdout. */
  print: (line: string) => void;
  /** Writes one line of advice to stderr, apart from the result. */
  hint: (line: string) => void;
  /** The directory the command runs in (process.cwd() in real use). */
  cwd: string;
}

/** One `versions <command>`. */
export interface Command {
  name: string;
  summary: string;
  /** The text of `versions <command> --help`. */
  help: string;
  options: OptionSpecs;
  /** Names of the positional arguments, in order; exactly these many are required. */
  positionals: string[];
  /** Whether the command talks to a server, and so takes --url, --token, --retries and --timeout. */
  talksToServer: boolean;
  run(context: CommandContext): Promise<void>;
}

export const CONNECTION_HELP = `Connection options:
  --url URL          the versions server (default: $VERSIONS_URL, else http://localhost:8080)
  --token TOKEN      sent as "Authorization: Bearer TOKEN" (default: $VERSIONS_TOKEN); never printed
  --retries N        how many times a request that met a network error or a 5xx answer is tried
                     again, after 0.5 s, 1 s, 2 s, ... (default: 3)
  --timeout SECONDS  limit of each try (default: 10)`;

const EXIT_CODES_HELP = `Exit codes: 0 success, 1 the server refused or could not be reached, 2 usage error.`;

const record: Command = {
  name: 'record',
  summary: 'record a deployment and print its versionId',
  help: `Usage: versions record --workload W --platform P --environment E --version V [options]

Records a deployment and prints its versionId, to pass later to \`versions status\`.

Options:
  --workload W         team or application (required)
  --platform P         where it is released: staging, production... (required)
  --environment E      environment inside the platform (required)
  --version V          the version deployed (required)
  --status S           ongoing, deployed, completed, failed... (default: deployed)
  --changelog-url U    link to the release notes
  --raw TEXT|@FILE     free payload, usually JSON; @FILE sends the content of FILE
  --date ISO           when it happened, ISO 8601 with a time zone, to backfill history
                       (default: now, by the server's clock)
  --commit SHA         the commit deployed                        } found by themselves (below)
  --ref REF            its branch or tag                           } unless given; an empty
  --repository URL     the repository's http/https address         } value sends nothing
  --deployer NAME      who deploys
  --log-url URL        the pipeline's log
  --environment-url U  where the deployed environment answers
  --description TEXT   free text, at most 1000 characters
  --no-changes         do not send the commits this deployment brings
  -h, --help           this help

Found by themselves: in GitHub Actions, GITHUB_SHA, GITHUB_REF_NAME, GITHUB_SERVER_URL/GITHUB_REPOSITORY,
GITHUB_ACTOR and the run's URL; in GitLab CI, CI_COMMIT_SHA, CI_COMMIT_REF_NAME, CI_PROJECT_URL,
GITLAB_USER_LOGIN, CI_JOB_URL and CI_ENVIRONMENT_URL; else git in the working directory (HEAD, its
branch, origin as an https URL). In a git checkout, the changes too: the commits from the one running
in that environment (asked of the server) to the one deployed, with their committer dates. A shallow
clone lacking that commit sends the deployed commit alone, with a hint (fetch-depth: 0).

${CONNECTION_HELP}

${EXIT_CODES_HELP}

Example:
  id=$(versions record --workload teamX --platform production --environment production \\
    --version 1.4.0 --status ongoing --raw @build-manifest.json)`,
  options: {
    workload: { type: 'string' },
    platform: { type: 'string' },
    environment: { type: 'string' },
    version: { type: 'string' },
    status: { type: 'string' },
    'changelog-url': { type: 'string' },
    raw: { type: 'string' },
    date: { type: 'string' },
    ...DETAIL_OPTIONS,
    'no-changes': { type: 'boolean' },
  },
  positionals: [],
  talksToServer: true,
  async run({ values, client, print, hint, env, cwd }) {
    const body: Record<string, string> = {
      workload: requiredOption(values, 'workload', 'record'),
      platform: requiredOption(values, 'platform', 'record'),
      environment: requiredOption(values, 'environment', 'record'),
      version: requiredOption(values, 'version', 'record'),
    };
    const status = stringOption(values, 'status');
    if (status !== undefined) {
      if (status.trim() === '') throw new UsageError('--status must not be empty', 'record');
      body.status = status;
    }
    const changelogURL = stringOption(values, 'changelog-url');
    if (changelogURL !== undefined) body.changelogURL = changelogURL;
    const raw = stringOption(values, 'raw');
    if (raw !== undefined) body.raw = await rawPayload(raw);
    const date = stringOption(values, 'date');
    if (date !== undefined) body.date = checkedDate(date);
    const key = {
      workload: body.workload ?? '',
      platform: body.platform ?? '',
      environment: body.environment ?? '',
    };
    const change = await changeOf(values, key, { client: client(), env, cwd, hint });

    const answer = await client().post('/api/v1/create', { ...body, ...change });
    const versionId = field(answer, 'versionId');
    if (typeof versionId !== 'number') throw unexpected(answer);
    print(String(versionId));
  },
};

const status: Command = {
  name: 'status',
  summary: 'change the status of a deployment',
  help: `Usage: versions status ID STATUS [options]

Sets the status of deployment ID (the versionId printed by \`versions record\`), e.g. to deployed,
completed or failed. Prints nothing on success.

Options:
  -h, --help           this help

${CONNECTION_HELP}

${EXIT_CODES_HELP}

Example:
  versions status "$id" deployed`,
  options: {},
  positionals: ['ID', 'STATUS'],
  talksToServer: true,
  async run({ positionals, client }) {
    const [id = '', newStatus = ''] = positionals;
    if (!/^\d+$/.test(id) || Number(id) < 1 || !Number.isSafeInteger(Number(id))) {
      throw new UsageError(`ID must be a positive integer (a versionId), not '${id}'`, 'status');
    }
    if (newStatus.trim() === '') throw new UsageError('STATUS must not be empty', 'status');
    await client().post('/api/v1/update/status', { versionId: Number(id), status: newStatus });
  },
};

const latest: Command = {
  name: 'latest',
  summary: 'print the version last deployed successfully to an environment',
  help: `Usage: versions latest --workload W --platform P --environment E [--any] [options]

Prints the version of the newest successful (deployed or completed) deployment of an environment;
with --any, of the newest deployment whatever its status. Exits 1 when there is none.

Options:
  --workload W         team or application (required)
  --platform P         platform (required)
  --environment E      environment (required)
  --any                the newest deployment whatever its status
  -h, --help           this help

${CONNECTION_HELP}

${EXIT_CODES_HELP}`,
  options: {
    workload: { type: 'string' },
    platform: { type: 'string' },
    environment: { type: 'string' },
    any: { type: 'boolean' },
  },
  positionals: [],
  talksToServer: true,
  async run({ values, client, print }) {
    const query = {
      workload: requiredOption(values, 'workload', 'latest'),
      platform: requiredOption(values, 'platform', 'latest'),
      environment: requiredOption(values, 'environment', 'latest'),
    };
    const path =
      values.any === true ? '/api/v1/read/environment/latest/whatever' : '/api/v1/read/environment/latest';
    const answer = await client().get(path, query);
    const version = field(answer, 'version');
    if (typeof version !== 'string') throw unexpected(answer);
    print(version);
  },
};

const serve: Command = {
  name: 'serve',
  summary: 'start the versions server, as `npm start` does',
  help: `Usage: versions serve

Starts the versions server in this process, exactly as \`npm start\` does. It is configured by the
same environment variables (SQL_DRIVER, DB_URI, APP_PORT, ...), not by options, and runs until it
receives SIGTERM or SIGINT.

Options:
  -h, --help           this help`,
  options: {},
  positionals: [],
  talksToServer: false,
  async run({ env }) {
    // Imported on demand so that the pipeline commands never load the server and its database drivers.
    const { startServer } = await import('../server.js');
    await startServer(env);
  },
};

/** Every command, in the order the global help lists them. */
export const COMMANDS: readonly Command[] = [record, status, latest, serve, ...STORE_COMMANDS];

/** `--raw TEXT` is sent as it is; `--raw @FILE` sends the file's content (a build manifest, say). */
async function rawPayload(raw: string): Promise<string> {
  if (!raw.startsWith('@')) return raw;
  const path = raw.slice(1);
  if (path === '') throw new UsageError('--raw @FILE needs a file name after @', 'record');
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new UsageError(`cannot read the --raw file '${path}' (${reason})`, 'record');
  }
}

// The contract's create takes ISO 8601 with a time zone: a date without one would mean a different
// instant on the runner than on the server, so it is refused here rather than silently shifted.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

function checkedDate(date: string): string {
  if (!ISO_WITH_ZONE.test(date) || Number.isNaN(Date.parse(date))) {
    throw new UsageError(
      `--date must be ISO 8601 with a time zone, e.g. 2024-05-01T12:30:00Z, not '${date}'`,
      'record',
    );
  }
  return date;
}

function field(answer: unknown, name: string): unknown {
  return typeof answer === 'object' && answer !== null
    ? (answer as Record<string, unknown>)[name]
    : undefined;
}

function unexpected(answer: unknown): RequestFailedError {
  const shown = JSON.stringify(answer) ?? String(answer);
  return new RequestFailedError(`unexpected answer from the server: ${shown.slice(0, 200)}`);
}
