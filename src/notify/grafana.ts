// Grafana annotations (https://grafana.com/docs/grafana/latest/developers/http_api/annotations/): a deployment
// becomes a region that starts when it was recorded and ends at its first success or failure, tagged so that a
// dashboard's annotation query (by tags) shows it on every graph.
import {
  factsOf,
  isDeploymentChange,
  JSON_HEADERS,
  type DeploymentFacts,
  type Formatter,
  type NotifyEvent,
} from './message.js';

/** Annotation ids kept in memory, one per deployment; the oldest are forgotten beyond it. */
const REMEMBERED = 10_000;

interface Annotation {
  /** Grafana's id, once its POST has answered. */
  id?: number;
  /** Whether its timeEnd is set (the first success or failure has been seen). */
  ended: boolean;
}

/** `versions` and one `name:value` tag per workload, platform, environment and status. */
export function grafanaTags(facts: DeploymentFacts): string[] {
  return [
    'versions',
    `workload:${facts.workload}`,
    `platform:${facts.platform}`,
    `environment:${facts.environment}`,
    `status:${facts.status}`,
  ];
}

/** Grafana shows annotation text as sanitised HTML: names are escaped, the link is an anchor. */
export function grafanaText(facts: DeploymentFacts): string {
  const h = (text: string) =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  let text = `${h(facts.workload)} ${h(facts.version)} on ${h(facts.platform)}/${h(facts.environment)}: ${h(facts.status)}`;
  if (facts.deployer) text += ` by ${h(facts.deployer)}`;
  if (facts.commit) text += ` (commit ${h(facts.shortCommit ?? facts.commit)})`;
  if (facts.link) text += `<br><a href="${h(facts.link)}">deployment #${facts.id}</a>`;
  if (facts.logUrl) text += ` · <a href="${h(facts.logUrl)}">log</a>`;
  return text;
}

/**
 * Creates one annotation per deployment, then PATCHes it on status changes (timeEnd at the first success or
 * failure). The queue sends in order, so a PATCH is built after its POST has answered with the id. When the id
 * is unknown (the POST failed, the server restarted, or the deployment is older), a status change creates the
 * annotation from the deployment's date to the change.
 */
export function grafanaFormatter(
  baseUrl: string,
  token: string,
  publicUrl: string | undefined,
  remembered = REMEMBERED,
): Formatter {
  const endpoint = `${baseUrl.replace(/\/+$/, '')}/api/annotations`;
  const headers = { ...JSON_HEADERS, accept: 'application/json', authorization: `Bearer ${token}` };
  const annotations = new Map<number, Annotation>();

  const remember = (deploymentId: number, annotation: Annotation) => {
    annotations.delete(deploymentId);
    annotations.set(deploymentId, annotation);
    if (annotations.size > remembered) annotations.delete(annotations.keys().next().value as number);
  };

  return {
    format(event: NotifyEvent) {
      // A deleted record keeps its annotation: it did happen on the graphs, and Grafana lets people remove it.
      if (!isDeploymentChange(event)) return undefined;
      // Only what the requests need is kept while queued: never the raw payload.
      const facts = factsOf(event.deployment, publicUrl);
      const start = Date.parse(event.deployment.date);
      const end = event.at.getTime();
      const final = facts.outcome !== 'other';
      const tags = grafanaTags(facts);
      const text = grafanaText(facts);
      let annotation: Annotation | undefined;
      const message = {
        event: event.event,
        bytes: Buffer.byteLength(text) + tags.join().length + 64,
        request() {
          const known = annotations.get(facts.id);
          if (known?.id !== undefined && event.event === 'status') {
            const patch: Record<string, unknown> = { tags, text };
            if (final && !known.ended) patch.timeEnd = end;
            annotation = { id: known.id, ended: known.ended || final };
            return {
              method: 'PATCH' as const,
              url: `${endpoint}/${known.id}`,
              headers,
              body: JSON.stringify(patch),
            };
          }
          const created: Record<string, unknown> = { time: start, tags, text };
          // A deployment recorded as already done is a moment; a status change seen without its start is a
          // region from when the deployment was recorded to this change.
          if (event.event === 'status' && final) created.timeEnd = Math.max(start, end);
          annotation = { ended: final };
          return { method: 'POST' as const, url: endpoint, headers, body: JSON.stringify(created) };
        },
        delivered(answer: string) {
          if (!annotation) return;
          if (annotation.id === undefined) {
            const id = parseId(answer);
            if (id === undefined) return;
            annotation.id = id;
          }
          remember(facts.id, annotation);
        },
      };
      return message;
    },
  };
}

function parseId(answer: string): number | undefined {
  try {
    const id = (JSON.parse(answer) as { id?: unknown }).id;
    return typeof id === 'number' && Number.isSafeInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
