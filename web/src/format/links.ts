/** The URL when `text` is an absolute http: or https: URL, else null: anything else is shown as text. */
export function httpUrl(text: string): string | null {
  try {
    const url = new URL(text.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** The API stores `N/A` (or nothing) when no changelog or raw payload was given. */
export function isRecorded(text: string | null | undefined): text is string {
  const trimmed = text?.trim() ?? '';
  return trimmed !== '' && trimmed !== 'N/A';
}
