// Environment tiers, as GitLab defines them: what a deployment to an environment means for delivery.

/** The tiers, from the first an environment a change reaches to the last. */
export const TIERS = ['development', 'testing', 'staging', 'production', 'other'] as const;
export type Tier = (typeof TIERS)[number];

export function isTier(value: unknown): value is Tier {
  return typeof value === 'string' && (TIERS as readonly string[]).includes(value);
}

// GitLab's rules (Environment#guess_tier), in its order: the first that matches wins, so "preprod" is
// staging (`pre`) before it could be production, and "dev-prod-mirror" is development.
const RULES: Array<[RegExp, Tier]> = [
  [/dev|review|trunk/i, 'development'],
  [/test|tst|int|ac(?:ce)?pt|qa|qc|control|quality/i, 'testing'],
  [/sta?g|mode?l|pre|demo|non/i, 'staging'],
  [/pro?d|live/i, 'production'],
];

function tierOfName(name: string): Tier {
  return RULES.find(([pattern]) => pattern.test(name))?.[1] ?? 'other';
}

/**
 * The tier an environment takes when nobody set one: from its environment's name, else from its platform's
 * ("eu-west-1" of the platform "production" is production), else `other`.
 */
export function inferTier(platform: string, environment: string): Tier {
  const byEnvironment = tierOfName(environment);
  return byEnvironment === 'other' ? tierOfName(platform) : byEnvironment;
}
