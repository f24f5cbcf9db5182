// Types of scripts/image-engine.mjs, for the TypeScript tests that call it.
export function cacheDir(): string;
export function findEngine(): { name: 'podman' | 'docker'; env: NodeJS.ProcessEnv } | undefined;
