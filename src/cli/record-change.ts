// `versions record`'s detail fields: the flags given, else what CI variables or git tell, and the commits
// the deployment brings to its environment.
import { detailsFromCi, GitCheckout, type DetectedChange, type DetectedDetails } from './change-detection.js';
import { RequestFailedError, type VersionsClient } from './client.js';
import { stringOption, type OptionSpecs, type OptionValues } from './usage.js';

/** Flag → field of /create. */
const FLAGS = {
  commit: 'commit',
  ref: 'ref',
  repository: 'repository',
  deployer: 'deployer',
  'log-url': 'logURL',
  'environment-url': 'environmentURL',
  description: 'description',
} as const;

export const DETAIL_OPTIONS: OptionSpecs = Object.fromEntries(
  Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }]),
);

type Fields = Partial<Record<(typeof FLAGS)[keyof typeof FLAGS], string>>;

export interface ChangeContext {
  client: VersionsClient;
  env: NodeJS.ProcessEnv;
  cwd: string;
  hint: (line: string) => void;
}

/**
 * The detail fields and changes to send with a create: each flag given wins (an empty one sends nothing),
 * then GitHub Actions' or GitLab CI's variables, then git in the working directory.
 */
export async function changeOf(
  values: OptionValues,
  key: { workload: string; platform: string; environment: string },
  context: ChangeContext,
): Promise<Fields & { changes?: DetectedChange[] }> {
  const checkout = await GitCheckout.open(context.cwd, context.env);
  const detected: DetectedDetails = {
    ...(await checkout?.details()),
    ...defined(detailsFromCi(context.env) ?? {}),
  };
  const fields: Fields = {};
  for (const [flag, field] of Object.entries(FLAGS) as Array<
    [keyof typeof FLAGS, (typeof FLAGS)[keyof typeof FLAGS]]
  >) {
    const given = stringOption(values, flag);
    const value = given === undefined ? (detected as Fields)[field] : given.trim();
    if (value) fields[field] = value;
  }
  if (values['no-changes'] === true || !checkout) return fields;
  const deployed = fields.commit && (await checkout.has(fields.commit)) ? fields.commit : 'HEAD';
  return { ...fields, changes: await changesSince(checkout, key, deployed, context) };
}

/** The commits from the one running in that environment to `deployed`, newest first. */
async function changesSince(
  checkout: GitCheckout,
  key: { workload: string; platform: string; environment: string },
  deployed: string,
  context: ChangeContext,
): Promise<DetectedChange[]> {
  const running = await runningCommit(context.client, key);
  if (running === undefined) return checkout.changes(undefined, deployed);
  if (!(await checkout.has(running))) {
    context.hint(
      `commit ${running.slice(0, 12)} running in ${key.platform}/${key.environment} is not in this clone ` +
        '(a shallow checkout?): sending the deployed commit alone as the change. Fetch the whole history ' +
        'to send every commit (GitHub Actions: actions/checkout with fetch-depth: 0; GitLab CI: GIT_DEPTH: 0).',
    );
    return checkout.changes(undefined, deployed);
  }
  return checkout.changes(running, deployed);
}

/** The commit of the deployment running in that environment, if it recorded one. */
async function runningCommit(
  client: VersionsClient,
  key: { workload: string; platform: string; environment: string },
): Promise<string | undefined> {
  try {
    const current = (await client.get('/api/v1/deployments/current', key)) as { commit?: unknown } | null;
    return typeof current?.commit === 'string' ? current.commit : undefined;
  } catch (error) {
    // Nothing deployed there yet: this deployment brings its own commit.
    if (error instanceof RequestFailedError && error.status === 404) return undefined;
    throw error;
  }
}

function defined(details: DetectedDetails): DetectedDetails {
  return Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined));
}
