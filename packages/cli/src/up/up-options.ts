import { parseArgs } from 'node:util';
import type { Env } from '../command';
import { UsageError } from '../usage-error';
import { exampleService, type CatalogService } from './service-catalog';

/** What `gatehouse up` was asked to do, read once from its arguments and environment. */
export interface UpOptions {
  help: boolean;
  /** --ephemeral-ports: every child gets GRPC_PORT=0 and OPS_PORT=0 (for tests). */
  ephemeralPorts: boolean;
  /** --only a,b: the services to start, in catalog order; all of them by default. */
  services: readonly CatalogService[];
  /** --timeout <seconds>, default 60: how long all services together may take to become ready. */
  startTimeoutMs: number;
  /** --grace <seconds>, default 15: how long a service may take to stop before it is killed. */
  stopGraceMs: number;
  /** Colour the output: when stdout is a terminal, unless NO_COLOR is set (FORCE_COLOR forces it). */
  color: boolean;
}

export const upUsage = `Usage: gatehouse up [options]

Starts the Gatehouse services on this machine, waits until each one is ready and prints where they
listen. Ctrl-C, SIGTERM or SIGHUP stops them all gracefully: each finishes its calls in flight
(within its SHUTDOWN_GRACE_MS) and the command says how each one stopped. Signals within 1 s of the
first count as one (a terminal's Ctrl-C reaches npm and gatehouse up, and npm forwards it again); a
second one later kills the services still stopping.

Options:
  --only <names>      start only these services (comma-separated): auth, rate-limit, cost-budget, health
  --ephemeral-ports   let every service pick free ports (GRPC_PORT=0, OPS_PORT=0)
  --example           also start the example notes service (gRPC 50060) behind the interceptors
  --timeout <s>       how long the services may take to become ready, default 60
  --grace <s>         how long a service may take to stop before it is killed, default 15
  -h, --help          show this help

Exit status:
  0 every service stopped cleanly; 1 a service failed to start, crashed, or did not stop cleanly;
  128 + the signal's number (130 for SIGINT, 143 for SIGTERM) when a second signal killed services.

Environment:
  Every variable is passed on to the services (DATABASE_URL, REDIS_URL, GATEHOUSE_DATA_DIR, LOG_LEVEL, ...).
  Each service gets its default ports unless GATEHOUSE_<SERVICE>_GRPC_PORT / GATEHOUSE_<SERVICE>_OPS_PORT
  is set, with <SERVICE> one of AUTH, RATE_LIMIT, COST_BUDGET, HEALTH.
`;

/** Reads `gatehouse up`'s arguments and environment; throws UsageError naming what is wrong. */
export function readUpOptions(
  args: readonly string[],
  env: Env,
  catalog: readonly CatalogService[],
  stdoutIsTty: boolean,
): UpOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        'ephemeral-ports': { type: 'boolean', default: false },
        example: { type: 'boolean', default: false },
        only: { type: 'string' },
        timeout: { type: 'string', default: '60' },
        grace: { type: 'string', default: '15' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return {
    help: values.help,
    ephemeralPorts: values['ephemeral-ports'],
    services: [...selectServices(catalog, values.only), ...(values.example ? [exampleService] : [])],
    startTimeoutMs: seconds('--timeout', values.timeout),
    stopGraceMs: seconds('--grace', values.grace),
    color: env.NO_COLOR ? false : env.FORCE_COLOR ? env.FORCE_COLOR !== '0' : stdoutIsTty,
  };
}

function selectServices(
  catalog: readonly CatalogService[],
  only: string | undefined,
): readonly CatalogService[] {
  if (only === undefined) return catalog;
  const names = only
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !catalog.some((service) => service.name === name));
  if (unknown.length > 0 || names.length === 0) {
    const known = catalog.map((service) => service.name).join(', ');
    throw new UsageError(
      `--only: unknown service ${JSON.stringify(unknown.join(','))}; choose from ${known}`,
    );
  }
  return catalog.filter((service) => names.includes(service.name));
}

function seconds(option: string, value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0 || parsed > 3600) {
    throw new UsageError(
      `${option} must be a number of seconds from 0 to 3600, got ${JSON.stringify(value)}`,
    );
  }
  return Math.round(parsed * 1000);
}
