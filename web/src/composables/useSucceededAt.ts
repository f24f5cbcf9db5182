import { shallowRef, watch, type WatchSource } from 'vue';
import { api } from '../api/client';
import type { ListedDeployment } from '../api/types';
import { statusKind } from '../format/status';

// When each deployment first succeeded, from its status history. Once known it never changes (a later
// status does not move the first success), so it is kept for the whole visit: live updates and pages going
// back and forth ask the server only about deployments they have not seen succeed yet.
const known = new Map<number, string>();

/**
 * The time each successful deployment of `rows` first reached deployed or completed (id → ISO date), filled
 * in as the histories arrive: one small request per successful row not seen before.
 */
export function useSucceededAt(rows: WatchSource<readonly ListedDeployment[]>) {
  const succeededAt = shallowRef(new Map(known));
  watch(
    rows,
    async (list) => {
      // Rows of GET /deployments carry their history: read from it, no request.
      for (const row of list) {
        const history = (row as { history?: Array<{ status: string; date: string }> }).history;
        const success = history?.find((entry) => statusKind(entry.status) === 'success');
        if (success) known.set(row.versions_id, success.date);
      }
      const missing = list.filter(
        (row) => statusKind(row.status) === 'success' && !known.has(row.versions_id),
      );
      succeededAt.value = new Map(known);
      if (missing.length === 0) return;
      await Promise.all(
        missing.map(async (row) => {
          try {
            const history = await api.history(row.versions_id);
            const success = history.find((entry) => statusKind(entry.status) === 'success');
            if (success) known.set(row.versions_id, success.date);
          } catch {
            // Not essential: the row shows no success time.
          }
        }),
      );
      succeededAt.value = new Map(known);
    },
    { immediate: true },
  );
  return succeededAt;
}
