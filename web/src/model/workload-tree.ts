import type { EnvironmentPath } from '../api/types';

export interface PlatformNode {
  platform: string;
  environments: string[];
}

export interface WorkloadNode {
  workload: string;
  platforms: PlatformNode[];
}

/** Groups the distinct workload / platform / environment rows into a tree, keeping the API's order. */
export function buildWorkloadTree(paths: readonly EnvironmentPath[]): WorkloadNode[] {
  const workloads = new Map<string, Map<string, string[]>>();
  for (const { workload, platform, environment } of paths) {
    let platforms = workloads.get(workload);
    if (!platforms) workloads.set(workload, (platforms = new Map()));
    let environments = platforms.get(platform);
    if (!environments) platforms.set(platform, (environments = []));
    if (!environments.includes(environment)) environments.push(environment);
  }
  return [...workloads].map(([workload, platforms]) => ({
    workload,
    platforms: [...platforms].map(([platform, environments]) => ({ platform, environments })),
  }));
}

/**
 * The part of the tree whose names contain `query` (case-insensitive): a matching workload or platform keeps
 * everything below it; otherwise only the matching environments are kept.
 */
export function filterWorkloadTree(tree: readonly WorkloadNode[], query: string): WorkloadNode[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return [...tree];
  const matches = (name: string) => name.toLowerCase().includes(needle);
  return tree.flatMap((node) => {
    if (matches(node.workload)) return [node];
    const platforms = node.platforms.flatMap((platformNode) => {
      if (matches(platformNode.platform)) return [platformNode];
      const environments = platformNode.environments.filter(matches);
      return environments.length > 0 ? [{ platform: platformNode.platform, environments }] : [];
    });
    return platforms.length > 0 ? [{ workload: node.workload, platforms }] : [];
  });
}
