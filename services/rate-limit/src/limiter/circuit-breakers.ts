import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker';

export interface CircuitBreakersOptions extends Omit<CircuitBreakerOptions, 'onStateChange'> {
  /** A node's circuit changed state; `node` is '' for a single server. */
  onStateChange?: (node: string, state: CircuitState) => void;
}

/**
 * One circuit per store node: on a Redis Cluster, a master that fails opens only its own circuit,
 * so decisions for keys on the other masters keep going to the store. One server is node ''.
 */
export class CircuitBreakers {
  private readonly breakers = new Map<string, { breaker: CircuitBreaker; usedAt: number }>();

  constructor(private readonly options: CircuitBreakersOptions) {}

  for(node: string): CircuitBreaker {
    const now = this.options.clock.now();
    const known = this.breakers.get(node);
    if (known !== undefined) {
      known.usedAt = now;
      return known.breaker;
    }
    const { onStateChange, ...rest } = this.options;
    const breaker = new CircuitBreaker({ ...rest, onStateChange: (state) => onStateChange?.(node, state) });
    this.breakers.set(node, { breaker, usedAt: now });
    return breaker;
  }

  /**
   * The nodes whose circuit is not closed (open or probing), with their state. A circuit no call
   * asked for in a while is forgotten: its node no longer serves keys (a master replaced by its
   * replica after a failover), so it would stay open for ever.
   */
  notClosed(): { node: string; state: CircuitState }[] {
    const forgetAfterMs = Math.max(2 * this.options.openMs, 5000);
    const now = this.options.clock.now();
    const open: { node: string; state: CircuitState }[] = [];
    for (const [node, { breaker, usedAt }] of this.breakers) {
      const state = breaker.current();
      if (state === 'closed') continue;
      if (now - usedAt > forgetAfterMs) this.breakers.delete(node);
      else open.push({ node, state });
    }
    return open;
  }
}
