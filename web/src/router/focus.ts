// After a navigation inside the app, the focus moves to the new page's heading, so that keyboard and
// screen-reader users land on it. A page loaded on demand has no heading yet when the navigation ends: its
// heading takes the focus when it appears.
import { shallowRef } from 'vue';

const pending = shallowRef(false);

/** Focuses the page's heading now, or when it is mounted. */
export function focusPageHeading(): void {
  const heading = document.querySelector<HTMLElement>('#main h1');
  if (heading) {
    pending.value = false;
    heading.focus({ preventScroll: true });
  } else {
    pending.value = true;
  }
}

/**
 * Called by a page heading once mounted: takes the focus when a navigation left it waiting, unless the viewer
 * has put it somewhere meanwhile (typing the next search while the page loads must not lose the keystrokes).
 */
export function claimPendingFocus(heading: HTMLElement | null): void {
  if (!pending.value || !heading) return;
  pending.value = false;
  const active = document.activeElement;
  if (active && active !== document.body && active.isConnected) return;
  heading.focus({ preventScroll: true });
}
