import { authV1 } from '@gatehouse/contracts';
import type { RevocationKind, RevocationRecord } from './revocation';

const kinds: Record<RevocationKind, authV1.RevocationKind> = {
  token: authV1.RevocationKind.REVOCATION_KIND_TOKEN,
  session: authV1.RevocationKind.REVOCATION_KIND_SESSION,
  subject: authV1.RevocationKind.REVOCATION_KIND_SUBJECT,
};

export function revocationToProto(revocation: RevocationRecord): authV1.Revocation {
  return {
    kind: kinds[revocation.kind],
    id: revocation.id,
    revokedAt: new Date(revocation.revokedAt),
    expiresAt: new Date(revocation.expiresAt),
  };
}
