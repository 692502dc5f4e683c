import type { Metadata } from '@grpc/grpc-js';
import { BadRequest, ErrorInfo, RetryInfo, Status } from '@gatehouse/contracts';

/** What the CLI prints of a refused call's google.rpc.Status trailer. */
export interface RefusalDetails {
  reason?: string;
  field?: string;
  metadata: Record<string, string>;
  fieldViolations: { field: string; description: string }[];
  retryAfterMs?: number;
}

const statusDetailsKey = 'grpc-status-details-bin';
const typeUrl = (name: string) => `type.googleapis.com/${name}`;

/**
 * Decodes `grpc-status-details-bin` (ErrorInfo, BadRequest, RetryInfo). The same reading as
 * `readErrorDetails` in @gatehouse/runtime, without loading the server runtime into the CLI.
 */
export function readRefusalDetails(trailer: Metadata | undefined): RefusalDetails {
  const result: RefusalDetails = { metadata: {}, fieldViolations: [] };
  const raw = trailer?.get(statusDetailsKey)[0];
  if (!(raw instanceof Buffer)) return result;
  try {
    for (const detail of Status.decode(raw).details) {
      if (detail.typeUrl === typeUrl('google.rpc.ErrorInfo')) {
        const info = ErrorInfo.decode(detail.value);
        result.reason = info.reason;
        result.metadata = info.metadata;
        result.field = info.metadata.field;
      } else if (detail.typeUrl === typeUrl('google.rpc.BadRequest')) {
        result.fieldViolations = BadRequest.decode(detail.value).fieldViolations;
      } else if (detail.typeUrl === typeUrl('google.rpc.RetryInfo')) {
        const delay = RetryInfo.decode(detail.value).retryDelay;
        if (delay) result.retryAfterMs = Number(delay.seconds) * 1000 + Math.floor(delay.nanos / 1_000_000);
      }
    }
  } catch {
    // A trailer we cannot decode: the code and message still say what happened.
  }
  return result;
}
