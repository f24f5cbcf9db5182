// After a navigation inside the app, the focus moves to the new page's heading, so that keyboard and
// screen-reader users land on it. A page loaded on demand has no heading yet when the navigation ends: its
// heading takes the focus when it appears.
import { shallowRef } from 'vue';

const pending = shallowRef(false);
/** What tells that the viewer acted while the page loaded: then the focus stays where they put it. */
const VIEWER_EVENTS = ['keydown', 'input', 'pointerdown'] as const;

/** Ends the wait for a heading: nothing left to focus later, nothing left to listen to. */
function settle(): void {
  pending.value = false;
  for (const type of VIEWER_EVENTS) document.removeEventListener(type, settle, true);
}

/** Focuses the page's heading now, or when it is mounted (unless the viewer acts meanwhile). */
export function focusPageHeading(): void {
  const heading = document.querySelector<HTMLElement>('#main h1');
  if (heading) {
    settle();
    heading.focus({ preventScroll: true });
    return;
  }
  pending.value = true;
  // Typing the next search (or clicking anywhere) while the page loads must not lose the focus to its heading.
  for (const type of VIEWER_EVENTS) document.addEventListener(type, settle, true);
}

/** Called by a page heading once mounted: takes the focus when a navigation left it waiting. */
export function claimPendingFocus(heading: HTMLElement | null): void {
  if (!pending.value || !heading) return;
  settle();
  heading.focus({ preventScroll: true });
}
