// Semantic versions (https://semver.org): parsed strictly, compared by precedence. A leading `v` is allowed
// (`v1.2.3`, a common tag name); anything else that is not MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD] does not
// parse, and what does not parse is never compared.

export interface SemanticVersion {
  major: number;
  minor: number;
  patch: number;
  /** Dot-separated identifiers after `-`; empty for a release. */
  prerelease: string[];
}

const NUMBER = '0|[1-9]\\d*';
const IDENTIFIER = `(?:${NUMBER}|\\d*[a-zA-Z-][0-9a-zA-Z-]*)`;
const SEMVER = new RegExp(
  `^[vV]?(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})` +
    `(?:-(${IDENTIFIER}(?:\\.${IDENTIFIER})*))?` +
    `(?:\\+[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*)?$`,
);

/** The version's parts, or null when `text` is not a semantic version. */
export function parseSemver(text: string): SemanticVersion | null {
  const match = SEMVER.exec(text.trim());
  if (!match) return null;
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number);
  if (![major, minor, patch].every((part) => Number.isSafeInteger(part))) return null;
  return {
    major: major ?? 0,
    minor: minor ?? 0,
    patch: patch ?? 0,
    prerelease: match[4] ? match[4].split('.') : [],
  };
}

const isNumeric = (identifier: string) => /^\d+$/.test(identifier);

function compareIdentifiers(a: string, b: string): number {
  const numericA = isNumeric(a);
  const numericB = isNumeric(b);
  if (numericA && numericB) return Math.sign(Number(a) - Number(b));
  // Numeric identifiers have lower precedence than alphanumeric ones.
  if (numericA !== numericB) return numericA ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePrereleases(a: string[], b: string[]): number {
  // A release ranks above any of its pre-releases: 1.0.0-rc.1 < 1.0.0.
  if (a.length === 0 || b.length === 0) return Math.sign(b.length - a.length);
  for (let index = 0; index < Math.min(a.length, b.length); index += 1) {
    const order = compareIdentifiers(a[index] ?? '', b[index] ?? '');
    if (order !== 0) return order;
  }
  return Math.sign(a.length - b.length);
}

/**
 * -1, 0 or 1 as `a` has lower, the same or higher precedence than `b` (build metadata is ignored, as semver
 * says); null when either does not parse.
 */
export function compareSemver(a: string, b: string): -1 | 0 | 1 | null {
  const left = parseSemver(a);
  const right = parseSemver(b);
  if (!left || !right) return null;
  const order =
    Math.sign(left.major - right.major) ||
    Math.sign(left.minor - right.minor) ||
    Math.sign(left.patch - right.patch) ||
    comparePrereleases(left.prerelease, right.prerelease);
  return order < 0 ? -1 : order > 0 ? 1 : 0;
}
