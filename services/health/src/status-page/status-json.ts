import type { ClusterSnapshot } from '../cluster/component-state';

/** The cluster snapshot as /status.json serves it: ISO times, latency in milliseconds. */
export function statusJson(snapshot: ClusterSnapshot) {
  const iso = (epochMs: number) => (epochMs === 0 ? null : new Date(epochMs).toISOString());
  return {
    status: snapshot.status,
    checked_at: iso(snapshot.checkedAt),
    components: snapshot.components.map((c) => ({
      name: c.name,
      kind: c.kind,
      status: c.status,
      critical: c.critical,
      latency_ms: c.latencyMs,
      detail: c.detail,
      checked_at: iso(c.checkedAt),
      since: iso(c.since),
    })),
  };
}
