import { systemClock, type Clock } from '../../clock';
import { redisReplyOf, storeErrorReason, type StoreErrorReason } from '../store-error-reason';

/**
 * Reasons that mean Redis refuses the command as configured, however often it is retried: the
 * client talks to the wrong node or with the wrong credentials, the keyspace is not what Gatehouse
 * wrote, the server cannot take writes. Timeouts and lost connections are outages, not refusals.
 */
const refusalHints: ReadonlyMap<StoreErrorReason, string> = new Map([
  [
    'moved',
    'a Redis Cluster node answered for a slot it does not serve: set REDIS_CLUSTER=true (or auto) so the client follows the cluster',
  ],
  [
    'ask',
    'a Redis Cluster slot is migrating and the client is not in cluster mode: set REDIS_CLUSTER=true (or auto)',
  ],
  [
    'crossslot',
    'one command named keys of several cluster slots: on a Redis Cluster, set REDIS_CLUSTER=true (or auto) so each slot gets its own',
  ],
  [
    'clusterdown',
    'the Redis Cluster does not serve every slot (a master and its replicas are down?): see CLUSTER INFO',
  ],
  ['masterdown', 'the replica lost its master: see INFO replication'],
  ['noauth', 'Redis requires a password: set it in REDIS_URL (redis://user:password@host:port)'],
  ['wrongpass', 'Redis refused the user or password of REDIS_URL'],
  [
    'noperm',
    "the Redis user of REDIS_URL lacks a command or key pattern in its ACL: allow Gatehouse's commands and prefix",
  ],
  [
    'wrongtype',
    'a key under this prefix holds another type than Gatehouse writes: give each application its own REDIS_KEY_PREFIX',
  ],
  [
    'readonly',
    'REDIS_URL points at a read-only replica: point it at the primary, or at the cluster with REDIS_CLUSTER=true',
  ],
  [
    'oom',
    'Redis is at maxmemory and refuses writes: raise maxmemory or evict keys with a TTL first (volatile-ttl)',
  ],
  ['loading', 'Redis is loading its dataset after a restart and answers nothing until it is done'],
  ['busy', 'a Lua script has run past busy-reply-threshold and blocks the server'],
  [
    'unknown_command',
    'the server does not offer a command Gatehouse needs (renamed or disabled, e.g. EVALSHA)',
  ],
  ['script_error', 'a Gatehouse Lua script failed on this server'],
]);

/** One cause of refusal: the first reply seen for its reason. */
export interface StoreRefusal {
  reason: StoreErrorReason;
  /** The store's reply as it came, e.g. "MOVED 866 127.0.0.1:7001". */
  reply: string;
  /** The store operation that got it, e.g. "decide", "get", "ping". */
  operation: string;
  /** What to do about it. */
  hint: string;
}

export interface StoreRefusalsOptions {
  clock?: Clock;
  /**
   * How long after its last refusal a reason still counts: the store reports refusing until this
   * much time has passed without one. Default 10 s (two readiness rounds).
   */
  windowMs?: number;
  /**
   * Called once per cause: the first refusal of a reason, and again if the reason comes back after
   * `windowMs` without it. Logs go here, so a refusing store writes one line per cause, not per call.
   */
  onRefusal?: (refusal: StoreRefusal) => void;
}

/** The error a refusing store's readiness check rejects with, naming every recent cause. */
export class StoreRefusingError extends Error {
  constructor(
    message: string,
    readonly refusals: readonly StoreRefusal[],
  ) {
    super(message);
    this.name = 'StoreRefusingError';
  }
}

interface Episode {
  refusal: StoreRefusal;
  firstAt: number;
  lastAt: number;
  count: number;
}

/**
 * What a store's readiness must not hide: commands Redis refused recently. `record` every failed
 * command; `check` rejects while any refusal is younger than `windowMs`, so /readyz never says ok
 * while decisions are falling back because Redis answers MOVED, NOAUTH, WRONGTYPE, READONLY...
 */
export class StoreRefusals {
  /** By cause: the reason, and whether Redis replied it or a check concluded it (both get their line). */
  private readonly episodes = new Map<string, Episode>();
  private readonly clock: Clock;
  private readonly windowMs: number;

  constructor(private readonly options: StoreRefusalsOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.windowMs = options.windowMs ?? 10_000;
  }

  /** Notes a failed command; resolves its reason (refusal or not) for the caller's metrics. */
  record(error: unknown, operation: string): StoreErrorReason {
    const reason = storeErrorReason(error);
    const hint = refusalHints.get(reason);
    if (hint === undefined) return reason;
    const now = this.clock.now();
    const cause = `${reason}:${error instanceof Error && error.name === 'ReplyError' ? 'reply' : 'check'}`;
    const episode = this.episodes.get(cause);
    if (episode !== undefined && now - episode.lastAt <= this.windowMs) {
      episode.lastAt = now;
      episode.count += 1;
      return reason;
    }
    const refusal: StoreRefusal = { reason, reply: redisReplyOf(error), operation, hint };
    this.episodes.set(cause, { refusal, firstAt: now, lastAt: now, count: 1 });
    this.options.onRefusal?.(refusal);
    return reason;
  }

  /** Throws StoreRefusingError while a refusal is recent, naming each reason, its reply and what to do. */
  check(): void {
    const now = this.clock.now();
    const recent = [...this.episodes.values()]
      .filter((episode) => now - episode.lastAt <= this.windowMs)
      .sort((a, b) => b.lastAt - a.lastAt);
    if (recent.length === 0) return;
    const causes = recent.map(
      ({ refusal, count, firstAt }) =>
        `${refusal.reply} (${refusal.reason}: ${count} refused since ${new Date(firstAt).toISOString()}; ${refusal.hint})`,
    );
    throw new StoreRefusingError(
      `Redis refuses commands: ${causes.join('; ')}`,
      recent.map((episode) => episode.refusal),
    );
  }
}
