// Commits as the UI shows them: short, and linked to their page on the hosting service when the
// repository's address says which one it is.
import { httpUrl } from '../format/links';

/** The first 7 characters of a SHA, as git and every hosting service abbreviate it. */
export function shortSha(commit: string): string {
  return commit.slice(0, 7);
}

/**
 * The web page of `commit` in `repository` for GitHub, GitLab, Gitea (and Codeberg, Forgejo) and Bitbucket,
 * recognised by the host's name; null otherwise, or when the repository is not an http/https URL.
 */
export function commitUrl(repository: string | null | undefined, commit: string): string | null {
  const base = repository ? httpUrl(repository) : null;
  if (!base || !/^[0-9a-f]{7,64}$/i.test(commit)) return null;
  const url = new URL(base);
  const root = `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\.git$/, '')}`;
  const host = url.hostname.toLowerCase();
  if (host.includes('gitlab')) return `${root}/-/commit/${commit}`;
  if (host.includes('bitbucket')) return `${root}/commits/${commit}`;
  if (
    host.includes('github') ||
    host.includes('gitea') ||
    host.includes('forgejo') ||
    host === 'codeberg.org'
  ) {
    return `${root}/commit/${commit}`;
  }
  return null;
}
