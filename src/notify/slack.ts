// Slack incoming webhooks (https://api.slack.com/messaging/webhooks): a message with blocks, and `text` as
// the fallback that notifications and screen readers show.
import {
  factsOf,
  isDeploymentChange,
  linksOf,
  headline,
  JSON_HEADERS,
  type DeploymentFacts,
  type Formatter,
  type Outcome,
} from './message.js';

const EMOJI: Record<Outcome, string> = {
  success: ':white_check_mark:',
  failure: ':x:',
  other: ':hourglass_flowing_sand:',
};

/** Slack's mrkdwn gives `&`, `<` and `>` a meaning; everything else shows as typed. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The body Slack gets for a deployment. */
export function slackMessage(facts: DeploymentFacts): object {
  const e = escapeMrkdwn;
  const title = `${EMOJI[facts.outcome]} *${e(facts.workload)}* \`${e(facts.version)}\` → *${e(facts.platform)}/${e(facts.environment)}*: *${e(facts.status)}*`;
  const fields = [
    `*Workload*\n${e(facts.workload)}`,
    `*Environment*\n${e(facts.platform)}/${e(facts.environment)}`,
    `*Version*\n${e(facts.version)}`,
    `*Status*\n${e(facts.status)}`,
  ];
  if (facts.deployer) fields.push(`*Deployer*\n${e(facts.deployer)}`);
  if (facts.commit) fields.push(`*Commit*\n\`${e(facts.shortCommit ?? facts.commit)}\``);
  const blocks: object[] = [
    { type: 'section', text: { type: 'mrkdwn', text: title } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
  ];
  const links = linksOf(facts);
  if (links.length > 0) {
    blocks.push({
      type: 'actions',
      elements: links.map(({ title, url }) => ({
        type: 'button',
        text: { type: 'plain_text', text: title },
        url,
      })),
    });
  }
  return { text: headline(facts), blocks };
}

export function slackFormatter(url: string, publicUrl: string | undefined): Formatter {
  return {
    format(event) {
      if (!isDeploymentChange(event)) return undefined;
      const body = JSON.stringify(slackMessage(factsOf(event.deployment, publicUrl)));
      return {
        event: event.event,
        bytes: Buffer.byteLength(body),
        request: () => ({ method: 'POST', url, headers: { ...JSON_HEADERS }, body }),
      };
    },
  };
}
