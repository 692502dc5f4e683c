import type { Env } from '@gatehouse/config';
import { readNotesConfig } from '../../examples/notes/src/config';
import { readAuthConfig } from '../../services/auth/src/config';
import { readCostBudgetConfig } from '../../services/cost-budget/src/config';
import { readHealthConfig } from '../../services/health/src/config';
import { readRateLimitConfig } from '../../services/rate-limit/src/config';

/** Variables read by libraries on the services' behalf (OpenTelemetry exporters, Node itself). */
const libraryVariables = /^(OTEL_[A-Z_]+|NODE_OPTIONS|NODE_EXTRA_CA_CERTS|UV_THREADPOOL_SIZE|TZ)$/;

export interface ServiceConfigFacts {
  /** Every environment variable the service's config reader looks at. */
  keys: ReadonlySet<string>;
  grpcPort: number;
  opsPort: number;
}

const readers: Record<string, (env: Env) => { grpcPort: number; opsPort: number }> = {
  auth: readAuthConfig,
  'rate-limit': readRateLimitConfig,
  'cost-budget': readCostBudgetConfig,
  health: readHealthConfig,
  notes: readNotesConfig,
};

/** The four Gatehouse services, deployed everywhere. */
export const gatehouseServices = ['auth', 'rate-limit', 'cost-budget', 'health'];

/** The example service: deployed by compose beside the cluster, not part of the Kubernetes base. */
export const exampleServices = ['notes'];

/** Runs a service's real config reader on an empty environment that records what it is asked for. */
export function configFactsOf(service: string): ServiceConfigFacts {
  const read = readers[service];
  if (read === undefined) throw new Error(`unknown service ${service}`);
  const keys = new Set<string>();
  const recording = new Proxy({} as Env, {
    get: (_target, name) => {
      if (typeof name === 'string') keys.add(name);
      return undefined;
    },
  });
  read(recording);
  const defaults = read({});
  return { keys, grpcPort: defaults.grpcPort, opsPort: defaults.opsPort };
}

/** True when a variable set for `service` is one it (or a library on its behalf) actually reads. */
export function isReadBy(service: string, variable: string): boolean {
  return configFactsOf(service).keys.has(variable) || libraryVariables.test(variable);
}
