import { healthV1 } from '@gatehouse/contracts';
import type { CliContext } from '../command';
import { findCredential, credentialMetadata } from '../shared/caller-credential';
import { leafCommand, type LeafInput, type LeafSpec } from '../shared/leaf-command';
import { withClient } from '../shared/open-client';
import { enumLabel, formatTime, renderTable, messageJson, toJson } from '../shared/output-format';
import { unaryCall } from '../shared/unary-call';

export const healthSpec: LeafSpec = {
  path: 'health',
  summary: 'the cluster view from the health service; exits 1 unless SERVING',
  service: 'health',
  help: `Usage: gatehouse health [--addr <host:port>] [--json]

Asks the health service's GetClusterHealth and prints every component. Exits 0 when the cluster
is SERVING, 1 when it is DEGRADED or NOT_SERVING (or the health service cannot be reached).
`,
  run: runHealth,
};

export const healthCommand = leafCommand(healthSpec);

async function runHealth(input: LeafInput, context: CliContext): Promise<number> {
  const response = await withClient(healthV1.HealthServiceClient, input.target.address, (client) =>
    unaryCall(
      client,
      client.getClusterHealth,
      {},
      credentialMetadata(findCredential(input.tokenFlag, context.env)),
      input.target,
    ),
  );
  context.stdout.write(
    input.json
      ? toJson(messageJson(healthV1.GetClusterHealthResponse, response))
      : renderClusterHealth(response),
  );
  return response.status === healthV1.HealthStatus.HEALTH_STATUS_SERVING ? 0 : 1;
}

/** The human view: the cluster status, then one row per component. */
export function renderClusterHealth(health: healthV1.GetClusterHealthResponse): string {
  const rows = health.components.map((component) => [
    component.name,
    component.kind,
    statusLabel(component.status),
    component.critical ? 'yes' : 'no',
    `${component.latencyMs.toFixed(1)} ms`,
    formatTime(component.since),
    component.detail === '' ? '-' : component.detail,
  ]);
  return (
    `cluster: ${statusLabel(health.status)} (checked ${formatTime(health.checkedAt)})\n\n` +
    renderTable(['COMPONENT', 'KIND', 'STATUS', 'CRITICAL', 'LATENCY', 'SINCE', 'DETAIL'], rows)
  );
}

function statusLabel(status: healthV1.HealthStatus): string {
  return enumLabel(healthV1.healthStatusToJSON(status), 'HEALTH_STATUS_');
}
