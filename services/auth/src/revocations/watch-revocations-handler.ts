import type { authV1 } from '@gatehouse/contracts';
import { GatehouseError, type CallContext, type Clock } from '@gatehouse/runtime';
import type { KeyRing } from '../tokens/key-ring';
import type { RevocationRecord } from './revocation';
import type { RevocationHub } from './revocation-hub';
import type { RevocationJournal } from './revocation-journal';
import { revocationToProto } from './revocation-to-proto';

export const defaultHeartbeatIntervalMs = 250;

export interface WatchRevocationsOptions {
  hub: RevocationHub;
  journal: RevocationJournal;
  keyRing: KeyRing;
  clock: Clock;
  issuer: string;
  audience: string;
  skewSeconds: number;
}

type Send = (message: authV1.WatchRevocationsResponse) => void;

/**
 * WatchRevocations: a snapshot, then every revocation as this replica hears of it, a signing-key
 * change when the published key ids differ from the last ones sent, and a heartbeat otherwise.
 * Revocations arriving while the snapshot is read are held and sent right after it (a duplicate
 * is harmless to the watcher), so none falls between the two.
 */
export function watchRevocationsHandler(options: WatchRevocationsOptions) {
  const { hub, journal, keyRing, clock } = options;
  const keyIds = () => keyRing.published().map((key) => key.kid);
  return async (request: authV1.WatchRevocationsRequest, context: CallContext, send: Send): Promise<void> => {
    const intervalMs = heartbeatIntervalOf(request.heartbeatIntervalMs);
    const stamp = () => new Date(clock.now());
    const held: RevocationRecord[] = [];
    let live = false;
    const forward = (revocation: RevocationRecord) =>
      send({ revocation: revocationToProto(revocation), sentAt: stamp() });
    const stopListening = hub.listen((revocation) => (live ? forward(revocation) : held.push(revocation)));
    try {
      const inForce = await journal.inForce(clock.now());
      let sentKeyIds = keyIds();
      send({
        snapshot: {
          revocations: inForce.map(revocationToProto),
          keyIds: sentKeyIds,
          issuer: options.issuer,
          audience: options.audience,
          clockSkewSeconds: options.skewSeconds,
          heartbeatIntervalMs: intervalMs,
        },
        sentAt: stamp(),
      });
      live = true;
      held.splice(0).forEach(forward);
      await new Promise<void>((resolve) => {
        const beat = setInterval(() => {
          const current = keyIds();
          if (current.join(' ') !== sentKeyIds.join(' ')) {
            sentKeyIds = current;
            send({ signingKeysChanged: { keyIds: current }, sentAt: stamp() });
          } else {
            send({ heartbeat: {}, sentAt: stamp() });
          }
        }, intervalMs);
        const finish = () => {
          clearInterval(beat);
          resolve();
        };
        if (hub.watchesEnded.aborted || context.signal.aborted) return finish();
        context.signal.addEventListener('abort', finish, { once: true });
        hub.watchesEnded.addEventListener('abort', finish, { once: true });
      });
    } finally {
      stopListening();
    }
  };
}

function heartbeatIntervalOf(requested: number): number {
  if (requested === 0) return defaultHeartbeatIntervalMs;
  if (requested < 100 || requested > 60_000) {
    throw GatehouseError.invalidArgument(
      'heartbeat_interval_ms',
      `must be 0 (the default, ${defaultHeartbeatIntervalMs}) or 100-60000, got ${requested}`,
    );
  }
  return requested;
}
