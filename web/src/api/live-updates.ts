// Live updates: the server announces every create and status change on GET /api/v1/events (server-sent
// events); pages showing the newest deployments load again when one arrives.
import { onBeforeUnmount, readonly, shallowRef, watch, type Ref } from 'vue';
import { API_ROOT } from './generated/constants';
import { readToken, tokenRequired } from './read-token';

const changes = shallowRef(0);
const connected = shallowRef(false);

/** True while the stream of events is open: what the page shows is kept up to date. */
export const liveConnected: Readonly<Ref<boolean>> = readonly(connected);

/** Wait this long after an event for others of the same burst (a pipeline deploying ten environments). */
const SETTLE_MS = 400;

/**
 * Opens the stream once for the whole app. Not when reads need a token: EventSource cannot send an
 * Authorization header, and the pages still work, refreshed by hand.
 */
export function startLiveUpdates(): void {
  if (typeof EventSource === 'undefined' || readToken() !== null) return;
  const source = new EventSource(`${API_ROOT}/events`);
  source.addEventListener('open', () => (connected.value = true));
  // The browser reconnects by itself after a network error; a refusal (401) closes the stream for good.
  source.addEventListener('error', () => (connected.value = source.readyState === EventSource.OPEN));
  const count = () => (changes.value += 1);
  source.addEventListener('created', count);
  source.addEventListener('status', count);
  watch(tokenRequired, (required) => {
    if (required) {
      source.close();
      connected.value = false;
    }
  });
}

/** Calls `reload` after deployments were created or changed, once per burst, while the component lives. */
export function useReloadOnChanges(reload: () => unknown): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = watch(changes, () => {
    clearTimeout(timer);
    timer = setTimeout(reload, SETTLE_MS);
  });
  onBeforeUnmount(() => {
    stop();
    clearTimeout(timer);
  });
}
