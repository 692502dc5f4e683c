import { grpcHealthV1 } from '@gatehouse/contracts';

export const ServingStatus = grpcHealthV1.HealthCheckResponse_ServingStatus;
export type ServingStatus = grpcHealthV1.HealthCheckResponse_ServingStatus;

type Listener = (status: ServingStatus) => void;

/**
 * The serving status of each service name on one gRPC server, as grpc.health.v1 reports it.
 * "" is the server as a whole (liveness); each fully-qualified service name is its readiness.
 */
export class HealthState {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly closeHooks = new Set<() => void>();
  private closed = false;

  constructor(initial: Record<string, ServingStatus> = {}) {
    for (const [service, status] of Object.entries(initial)) this.statuses.set(service, status);
  }

  /** Undefined when the service name was never registered. */
  get(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  list(): ReadonlyMap<string, ServingStatus> {
    return this.statuses;
  }

  set(service: string, status: ServingStatus): void {
    if (this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    for (const listener of this.listeners.get(service) ?? []) listener(status);
  }

  /** Marks every service name, "" included, NOT_SERVING: the first step of a graceful shutdown. */
  setAllNotServing(): void {
    for (const service of this.statuses.keys()) this.set(service, ServingStatus.NOT_SERVING);
  }

  /** Calls `listener` on every change of `service`; returns the function that stops it. */
  watch(service: string, listener: Listener): () => void {
    const set = this.listeners.get(service) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(service, set);
    return () => set.delete(listener);
  }

  /** Ends every watch: streams must not hold a draining server open. */
  close(): void {
    this.closed = true;
    for (const set of this.listeners.values()) set.clear();
    for (const hook of this.closeHooks) hook();
    this.closeHooks.clear();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs `hook` when the state closes (or now, if it already has); returns the function that cancels it. */
  onClose(hook: () => void): () => void {
    if (this.closed) {
      hook();
      return () => undefined;
    }
    this.closeHooks.add(hook);
    return () => this.closeHooks.delete(hook);
  }
}
