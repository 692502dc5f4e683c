import { parseArgs } from 'node:util';
import { credentials, Metadata, status as grpcStatus } from '@grpc/grpc-js';
import { grpcHealthV1 } from '@gatehouse/contracts';
import { usageExitCode, type CliContext, type Command } from '../command';

export const probeUsage = `Usage: gatehouse probe --addr <host:port> [--service <name>] [--timeout <ms>]

Asks one gRPC server's grpc.health.v1 Check and exits 0 when it answers SERVING, 1 otherwise.
Made for container health checks (docker compose, Kubernetes exec probes).

Options:
  --addr <host:port>   the gRPC server, e.g. 127.0.0.1:50051 (required)
  --service <name>     the service to check, e.g. gatehouse.auth.v1.AuthService; default "" (the process)
  --timeout <ms>       deadline of the call, default 2000
  -h, --help           show this help
`;

export const probeCommand: Command = {
  name: 'probe',
  summary: 'check one gRPC server is SERVING (for container health checks)',
  run: runProbe,
};

async function runProbe(args: readonly string[], context: CliContext): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      options: {
        addr: { type: 'string' },
        service: { type: 'string', default: '' },
        timeout: { type: 'string', default: '2000' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    context.stderr.write(`gatehouse probe: ${(error as Error).message}\n\n${probeUsage}`);
    return usageExitCode;
  }
  if (values.help) {
    context.stdout.write(probeUsage);
    return 0;
  }
  const timeoutMs = Number(values.timeout);
  if (values.addr === undefined || !Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    context.stderr.write(
      `gatehouse probe: --addr is required and --timeout must be a positive integer\n\n${probeUsage}`,
    );
    return usageExitCode;
  }
  const seen = await checkServingStatus(values.addr, values.service, timeoutMs);
  const label = values.service === '' ? values.addr : `${values.service} at ${values.addr}`;
  (seen === 'SERVING' ? context.stdout : context.stderr).write(`${label}: ${seen}\n`);
  return seen === 'SERVING' ? 0 : 1;
}

/** One grpc.health.v1 Check: the serving status by name, or the failure as `CODE: details`. */
export function checkServingStatus(address: string, service: string, timeoutMs: number): Promise<string> {
  const client = new grpcHealthV1.HealthClient(address, credentials.createInsecure());
  return new Promise<string>((resolve) => {
    client.check({ service }, new Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) => {
      if (error) resolve(`${grpcStatus[error.code] ?? error.code}: ${error.details || error.message}`);
      else resolve(grpcHealthV1.healthCheckResponse_ServingStatusToJSON(response.status));
    });
  }).finally(() => client.close());
}
