import { readonly, shallowRef, type Ref } from 'vue';

const TICK_MS = 30_000;
const now = shallowRef(Date.now());
let ticking = false;

/** The current time, refreshed every 30 s so that relative times ("3 min ago") stay true. */
export function useNow(): Readonly<Ref<number>> {
  if (!ticking) {
    ticking = true;
    setInterval(() => (now.value = Date.now()), TICK_MS);
  }
  return readonly(now);
}
