// Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received", then "Post card in a
// chat or channel"): a message whose attachment is an Adaptive Card.
// https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using
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

const COLOR: Record<Outcome, string> = { success: 'Good', failure: 'Attention', other: 'Accent' };

/** The body Teams gets for a deployment. */
export function teamsMessage(facts: DeploymentFacts): object {
  const facts_ = [
    { title: 'Workload', value: facts.workload },
    { title: 'Environment', value: `${facts.platform}/${facts.environment}` },
    { title: 'Version', value: facts.version },
    { title: 'Status', value: facts.status },
  ];
  if (facts.deployer) facts_.push({ title: 'Deployer', value: facts.deployer });
  if (facts.commit) facts_.push({ title: 'Commit', value: facts.shortCommit ?? facts.commit });
  const card: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      {
        type: 'TextBlock',
        text: headline(facts),
        weight: 'Bolder',
        size: 'Medium',
        color: COLOR[facts.outcome],
        wrap: true,
      },
      { type: 'FactSet', facts: facts_ },
    ],
  };
  const links = linksOf(facts);
  if (links.length > 0)
    card.actions = links.map(({ title, url }) => ({ type: 'Action.OpenUrl', title, url }));
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  };
}

export function teamsFormatter(url: string, publicUrl: string | undefined): Formatter {
  return {
    format(event) {
      if (!isDeploymentChange(event)) return undefined;
      const body = JSON.stringify(teamsMessage(factsOf(event.deployment, publicUrl)));
      return {
        event: event.event,
        bytes: Buffer.byteLength(body),
        request: () => ({ method: 'POST', url, headers: { ...JSON_HEADERS }, body }),
      };
    },
  };
}
