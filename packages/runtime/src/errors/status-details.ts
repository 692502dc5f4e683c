import { Metadata, type StatusObject } from '@grpc/grpc-js';
import { Any, BadRequest, ErrorInfo, RetryInfo, Status } from '@gatehouse/contracts';
import { grpcStatusOf } from './error-code';
import type { GatehouseError } from './gatehouse-error';

/** The trailer carrying google.rpc.Status, understood by grpcurl and every gRPC rich-error library. */
export const statusDetailsKey = 'grpc-status-details-bin';
export const errorDomain = 'gatehouse.dev';

const typeUrl = (name: string) => `type.googleapis.com/${name}`;

/** The gRPC status a GatehouseError is sent as: code, message, and typed details in the trailer. */
export function toStatusObject(error: GatehouseError): StatusObject {
  const code = grpcStatusOf[error.code];
  const details: Any[] = [];
  const metadata: Record<string, string> = { ...error.metadata };
  if (error.field !== undefined) metadata.field = error.field;
  if (error.reason !== undefined) {
    details.push({
      typeUrl: typeUrl('google.rpc.ErrorInfo'),
      value: Buffer.from(ErrorInfo.encode({ reason: error.reason, domain: errorDomain, metadata }).finish()),
    });
  }
  if (error.field !== undefined) {
    const badRequest = { fieldViolations: [{ field: error.field, description: error.message }] };
    details.push({
      typeUrl: typeUrl('google.rpc.BadRequest'),
      value: Buffer.from(BadRequest.encode(badRequest).finish()),
    });
  }
  if (error.retryAfterMs !== undefined) {
    const seconds = Math.floor(error.retryAfterMs / 1000);
    const retryDelay = { seconds: BigInt(seconds), nanos: (error.retryAfterMs % 1000) * 1_000_000 };
    details.push({
      typeUrl: typeUrl('google.rpc.RetryInfo'),
      value: Buffer.from(RetryInfo.encode({ retryDelay }).finish()),
    });
  }
  const trailer = new Metadata();
  if (details.length > 0) {
    const encoded = Status.encode({ code, message: error.message, details }).finish();
    trailer.set(statusDetailsKey, Buffer.from(encoded));
  }
  return { code, details: error.message, metadata: trailer };
}

/** What a caller can read back from a Gatehouse error's trailer. */
export interface ErrorDetails {
  reason?: string;
  field?: string;
  metadata: Record<string, string>;
  fieldViolations: { field: string; description: string }[];
  retryAfterMs?: number;
}

/** Decodes the rich error details of a failed call (client side: tests, CLI, interceptors). */
export function readErrorDetails(trailer: Metadata | undefined): ErrorDetails {
  const result: ErrorDetails = { metadata: {}, fieldViolations: [] };
  const raw = trailer?.get(statusDetailsKey)[0];
  if (!(raw instanceof Buffer)) return result;
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
  return result;
}
