import { status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { readRefusalDetails } from './error-details';
import { cliServices, type CliServiceName } from './service-address';

const connectionFailure =
  /No connection established|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|Failed to connect|Connection dropped|name resolution/i;

/** True when a call failed because nothing answered at the address (not a refusal by the service). */
export function isUnreachable(error: ServiceError): boolean {
  if (error.code === grpcStatus.UNAVAILABLE) return connectionFailure.test(error.details ?? error.message);
  if (error.code === grpcStatus.DEADLINE_EXCEEDED)
    return /waiting for (connection|name resolution)/i.test(error.details ?? '');
  return false;
}

/** The message a user reads when a call to `service` at `address` failed. */
export function describeCallError(error: ServiceError, service: CliServiceName, address: string): string {
  const entry = cliServices[service];
  const code = grpcStatus[error.code] ?? String(error.code);
  // grpc-js ends connection errors with an empty "Resolution note:"; it says nothing.
  const message = (error.details || error.message).replace(/\s*Resolution note:\s*$/, '');
  if (isUnreachable(error)) {
    return [
      `cannot reach the ${entry.label} service at ${address} (${code}: ${message})`,
      `  Is the cluster running? Start it with \`npm start\`, or point --addr / ${entry.variable} at it.`,
    ].join('\n');
  }
  const lines = [`${code}: ${message}`];
  const details = readRefusalDetails(error.metadata);
  if (details.reason !== undefined) lines.push(`  reason: ${details.reason}`);
  if (details.field !== undefined) lines.push(`  field: ${details.field}`);
  for (const violation of details.fieldViolations) {
    if (violation.field !== details.field)
      lines.push(`  field: ${violation.field} (${violation.description})`);
  }
  if (details.retryAfterMs !== undefined) lines.push(`  retry after: ${details.retryAfterMs} ms`);
  if (error.code === grpcStatus.UNAUTHENTICATED) {
    lines.push('  Log in again with `gatehouse login`, or pass a valid --token / GATEHOUSE_TOKEN.');
  }
  return lines.join('\n');
}
