import type { Clock } from '@gatehouse/runtime';

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  clock: Clock;
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one call may probe the store again. */
  openMs: number;
  onStateChange?: (state: CircuitState) => void;
}

/**
 * Stops waiting on a dead store: after `failureThreshold` consecutive failures the circuit opens
 * and calls fail at once; after `openMs` one call probes (half open) — success closes the circuit,
 * failure opens it for another `openMs`. Recovery needs no operator.
 */
export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(private readonly options: CircuitBreakerOptions) {}

  current(): CircuitState {
    return this.state;
  }

  /** Whether a call may go to the store now (in half-open state, only the one probe). */
  tryAcquire(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (this.options.clock.now() - this.openedAt < this.options.openMs) return false;
      this.transition('half_open');
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.probing = false;
    if (this.state !== 'closed') this.transition('closed');
  }

  onFailure(): void {
    this.failures += 1;
    this.probing = false;
    if (this.state === 'half_open' || this.failures >= this.options.failureThreshold) {
      this.openedAt = this.options.clock.now();
      if (this.state !== 'open') this.transition('open');
    }
  }

  private transition(state: CircuitState): void {
    this.state = state;
    this.options.onStateChange?.(state);
  }
}
