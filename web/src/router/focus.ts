// Where the focus and the scroll go after a navigation, kept apart from the router itself so that pages can
// import it without importing the routes (which import the pages).
import { shallowRef } from 'vue';
import type { RouteLocationAsPathGeneric, RouteLocationAsRelativeGeneric } from 'vue-router';

/** What a navigation made by a form leaves in its history entry. */
interface KeptPlace {
  keepFocus?: boolean;
}

/** True when the entry being shown was made by a form that keeps the focus and the scroll where they are. */
export const keepsPlace = (): boolean => (window.history.state as KeptPlace | null)?.keepFocus === true;

/** `to` with a mark that keeps the focus and the scroll where they are: for forms that change the address. */
export function keepingFocus<Location extends RouteLocationAsRelativeGeneric | RouteLocationAsPathGeneric>(
  to: Location,
): Location {
  return { ...to, state: { ...to.state, keepFocus: true } };
}

// A page's heading may appear after the navigation ended (its data still loading): it then takes the focus
// when it is mounted (see claimPendingFocus), unless the viewer acted meanwhile.
const focusPending = shallowRef(false);
/** What tells that the viewer acted while the page loaded: then the focus stays where they put it. */
const VIEWER_EVENTS = ['keydown', 'input', 'pointerdown'] as const;

/** Ends the wait for a heading: nothing left to focus later, nothing left to listen to. */
function settle(): void {
  focusPending.value = false;
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
  focusPending.value = true;
  // Typing the next search (or clicking anywhere) while the page loads must not lose the focus to its heading.
  for (const type of VIEWER_EVENTS) document.addEventListener(type, settle, true);
}

/** Called by a page heading once mounted: takes the focus when a navigation left it waiting. */
export function claimPendingFocus(heading: HTMLElement | null): void {
  if (!focusPending.value || !heading) return;
  settle();
  heading.focus({ preventScroll: true });
}
