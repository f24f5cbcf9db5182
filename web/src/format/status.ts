/** How a status reads: `deployed` and `completed` are successes; any other text is shown as it is. */
export type StatusKind = 'success' | 'failed' | 'ongoing' | 'other';

const KINDS: Record<string, StatusKind> = {
  deployed: 'success',
  completed: 'success',
  failed: 'failed',
  ongoing: 'ongoing',
};

export function statusKind(status: string): StatusKind {
  return KINDS[status.trim().toLowerCase()] ?? 'other';
}

/** Deployed or completed: what the API counts as a success (the matrix's `current`, DORA's `successful`). */
export function isSuccessfulStatus(status: string): boolean {
  return statusKind(status) === 'success';
}

const KNOWN_ORDER = ['deployed', 'completed', 'ongoing', 'failed'];

/** Known statuses first, in a fixed order, then the others alphabetically: legends and stacks stay stable. */
export function compareStatuses(a: string, b: string): number {
  const rankA = KNOWN_ORDER.indexOf(a);
  const rankB = KNOWN_ORDER.indexOf(b);
  if (rankA !== -1 || rankB !== -1) {
    return (rankA === -1 ? KNOWN_ORDER.length : rankA) - (rankB === -1 ? KNOWN_ORDER.length : rankB);
  }
  return a.localeCompare(b);
}

const SERIES_COLOURS: Record<string, string> = {
  deployed: 'var(--series-deployed)',
  completed: 'var(--series-completed)',
  ongoing: 'var(--series-ongoing)',
  failed: 'var(--series-failed)',
};
const OTHER_COLOURS = ['var(--series-other-1)', 'var(--series-other-2)', 'var(--series-other-3)'];

/** The chart colour of each status, in order: known ones have their own, the others take the spare ones in turn. */
export function seriesColours(statuses: readonly string[]): string[] {
  let spare = 0;
  return statuses.map(
    (status) => SERIES_COLOURS[status] ?? OTHER_COLOURS[spare++ % OTHER_COLOURS.length] ?? 'currentColor',
  );
}
