// The token for servers that protect reads (APP_READ_TOKENS). The viewer types it once; it stays for the
// browser tab's life, or on this device when asked to. It is sent in the Authorization header only.
import { shallowRef } from 'vue';

const STORAGE_KEY = 'versions.readToken';

/** Set when the API refused a read for want of a valid token: the app then asks for one. */
export const tokenRequired = shallowRef(false);

export function readToken(): string | null {
  return sessionStorage.getItem(STORAGE_KEY) ?? localStorage.getItem(STORAGE_KEY);
}

export function saveReadToken(token: string, rememberOnThisDevice: boolean): void {
  forgetReadToken();
  (rememberOnThisDevice ? localStorage : sessionStorage).setItem(STORAGE_KEY, token);
}

export function forgetReadToken(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  localStorage.removeItem(STORAGE_KEY);
}
