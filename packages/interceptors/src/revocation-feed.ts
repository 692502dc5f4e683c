import type { ClientReadableStream } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';

export interface RevocationFeedOptions {
  client: authV1.AuthServiceClient;
  /** Heartbeat interval asked of the auth service, in ms (100-60000). */
  heartbeatIntervalMs: number;
  now: () => number;
  /** The published key ids, from each snapshot and each signing-key change. */
  onKeyIds: (keyIds: readonly string[]) => void;
  /** Longest wait before reconnecting a broken stream, in ms. */
  maxReconnectDelayMs?: number;
}

/** Which claims of a verified access token revocations concern. */
export interface TokenIdentity {
  jti: string;
  sid: string;
  sub: string;
  /** Issued at, in seconds. */
  iat: number;
}

/** What the feed says of a token: revoked, fine, or to be checked by the auth service. */
export type RevocationVerdict = 'revoked' | 'clear' | 'ask';

const pruneEveryMs = 10_000;
const subjectChangeMarginMs = 1000;

/**
 * A WatchRevocations stream kept open (reconnected with backoff when it breaks), holding what a
 * local verifier must refuse: revoked access tokens (jti) and sessions (sid), and subjects changed
 * since their tokens were issued (those go to Authenticate). Each snapshot replaces the state;
 * every message, heartbeats included, proves the stream alive.
 */
export class RevocationFeed {
  private tokens = new Map<string, number>();
  private sessions = new Map<string, number>();
  /** Subject → [latest change (epoch ms), expiry (epoch ms)]. */
  private subjects = new Map<string, [number, number]>();
  private lastHeardAt = Number.NEGATIVE_INFINITY;
  private synced = false;
  private call: ClientReadableStream<authV1.WatchRevocationsResponse> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;
  private lastPrune = 0;
  /** Clock skew the auth service tolerates, and its expected iss and aud (from the snapshot). */
  skewSeconds = 0;
  issuer = '';
  audience = '';

  constructor(private readonly options: RevocationFeedOptions) {}

  start(): void {
    if (this.stopped || this.call !== undefined) return;
    const call = this.options.client.watchRevocations({
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
    });
    this.call = call;
    call.on('data', (message: authV1.WatchRevocationsResponse) => this.receive(message));
    // 'status' always comes last, after an error or a clean end: reconnect then.
    call.on('error', () => undefined);
    call.on('status', () => {
      if (this.call !== call) return;
      this.call = undefined;
      if (this.stopped) return;
      this.failures += 1;
      const delay = Math.min(this.options.maxReconnectDelayMs ?? 1000, 50 * 2 ** Math.min(this.failures, 10));
      this.retry = setTimeout(() => this.start(), delay * (0.5 + Math.random() / 2));
      this.retry.unref();
    });
  }

  /** True when a snapshot arrived and the stream was heard from within `maxStalenessMs`. */
  isFresh(maxStalenessMs: number): boolean {
    return this.synced && this.options.now() - this.lastHeardAt <= maxStalenessMs;
  }

  verdict(token: TokenIdentity): RevocationVerdict {
    if (this.tokens.has(token.jti) || this.sessions.has(token.sid)) return 'revoked';
    const change = this.subjects.get(token.sub);
    // iat has one-second resolution and the change time comes from another replica's clock: a
    // token issued up to a second after the change is asked about too (harmless, merely remote).
    if (change !== undefined && token.iat * 1000 <= change[0] + subjectChangeMarginMs) return 'ask';
    return 'clear';
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.call?.cancel();
    this.call = undefined;
  }

  private receive(message: authV1.WatchRevocationsResponse): void {
    const now = this.options.now();
    this.lastHeardAt = now;
    this.failures = 0;
    if (message.snapshot !== undefined) {
      const { snapshot } = message;
      this.tokens = new Map();
      this.sessions = new Map();
      this.subjects = new Map();
      snapshot.revocations.forEach((revocation) => this.apply(revocation));
      this.issuer = snapshot.issuer;
      this.audience = snapshot.audience;
      this.skewSeconds = snapshot.clockSkewSeconds;
      this.synced = true;
      this.options.onKeyIds(snapshot.keyIds);
    } else if (message.revocation !== undefined) {
      this.apply(message.revocation);
    } else if (message.signingKeysChanged !== undefined) {
      this.options.onKeyIds(message.signingKeysChanged.keyIds);
    }
    if (now - this.lastPrune >= pruneEveryMs) this.prune(now);
  }

  private apply(revocation: authV1.Revocation): void {
    const revokedAt = revocation.revokedAt?.getTime() ?? this.options.now();
    const expiresAt = revocation.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
    switch (revocation.kind) {
      case authV1.RevocationKind.REVOCATION_KIND_TOKEN:
        this.tokens.set(revocation.id, expiresAt);
        break;
      case authV1.RevocationKind.REVOCATION_KIND_SESSION:
        this.sessions.set(revocation.id, expiresAt);
        break;
      case authV1.RevocationKind.REVOCATION_KIND_SUBJECT: {
        const known = this.subjects.get(revocation.id);
        this.subjects.set(revocation.id, [
          Math.max(revokedAt, known?.[0] ?? revokedAt),
          Math.max(expiresAt, known?.[1] ?? expiresAt),
        ]);
        break;
      }
      default:
        // A kind this version does not know: nothing can be verified safely until a newer snapshot.
        this.synced = false;
    }
  }

  private prune(now: number): void {
    this.lastPrune = now;
    for (const map of [this.tokens, this.sessions]) {
      for (const [id, expiresAt] of map) if (expiresAt <= now) map.delete(id);
    }
    for (const [id, [, expiresAt]] of this.subjects) if (expiresAt <= now) this.subjects.delete(id);
  }
}
