import { onBeforeUnmount, shallowRef, watch, type Ref, type ShallowRef, type WatchSource } from 'vue';

export interface Resource<T> {
  /** The last data loaded; kept while the next load runs so the page does not flash. */
  data: ShallowRef<T | undefined>;
  error: ShallowRef<Error | null>;
  loading: Ref<boolean>;
  reload(): Promise<void>;
}

/**
 * Loads data for a component, again whenever `key` changes, cancelling a load that is no longer wanted (the
 * viewer went on to another page).
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, key?: WatchSource): Resource<T> {
  const data = shallowRef<T>();
  const error = shallowRef<Error | null>(null);
  const loading = shallowRef(true);
  let controller: AbortController | null = null;

  async function reload(): Promise<void> {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    loading.value = true;
    error.value = null;
    try {
      const result = await load(current.signal);
      if (current.signal.aborted) return;
      data.value = result;
    } catch (caught) {
      if (current.signal.aborted) return;
      error.value = caught instanceof Error ? caught : new Error(String(caught));
    }
    loading.value = false;
  }

  if (key) watch(key, reload, { immediate: true });
  else void reload();
  onBeforeUnmount(() => controller?.abort());

  return { data, error, loading, reload };
}
