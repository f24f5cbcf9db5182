// The "Export CSV" link of a history. Where reads are open, the link is followed as it is: the browser
// streams the file to disk. Where they need a token (APP_READ_TOKENS), a link cannot carry the
// Authorization header, so the file is fetched with it and handed to the browser as a download: no token in
// an address (where logs and history would keep it) and no second secret to sign export addresses with.
import { readToken, tokenRequired } from './read-token';

const DEFAULT_FILE_NAME = 'deployments.csv';
const REVOKE_AFTER_MS = 60_000;

/**
 * Downloads the CSV at `href` with the read token when one is held, and says whether it did; `false` means
 * no token is held and the link is to be followed as it is. Throws an Error whose message says why on failure.
 */
export async function downloadWithReadToken(href: string): Promise<boolean> {
  const token = readToken();
  if (!token) return false;
  let response: Response;
  try {
    response = await fetch(href, { headers: { Accept: 'text/csv', Authorization: `Bearer ${token}` } });
  } catch {
    throw new Error('The server could not be reached.');
  }
  if (response.status === 401) tokenRequired.value = true;
  if (!response.ok) throw new Error(`The export failed: the server answered ${response.status}.`);
  // The whole file is held in memory once; the browser offers no way to stream a fetched body to disk everywhere.
  const file = await response.blob();
  const url = URL.createObjectURL(file);
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName(response.headers.get('content-disposition'));
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // Some browsers start reading the file only after the click returns: its address stays a while.
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  }
  return true;
}

/** The file name the server suggests (`attachment; filename="..."`), else deployments.csv. */
function fileName(disposition: string | null): string {
  const match = /filename="([^"]+)"/.exec(disposition ?? '');
  return match?.[1] ?? DEFAULT_FILE_NAME;
}
