import { join } from 'node:path';
import type { Env } from '../command';
import { childEnv, connectHost } from './child-env';
import type { ChildSpec } from './managed-child';
import type { CatalogService } from './service-catalog';

export interface LaunchPlanOptions {
  services: readonly CatalogService[];
  env: Env;
  ephemeralPorts: boolean;
  /** Root of the checkout: each service runs from <repoRoot>/<its entry>. */
  repoRoot: string;
  nodePath: string;
}

/** How to start each chosen service: `node <repoRoot>/<entry>` (built code) with its own env. */
export function planLaunches(options: LaunchPlanOptions): ChildSpec[] {
  const envs = options.services.map((service) => childEnv(service, options.env, options.ephemeralPorts));
  if (!options.ephemeralPorts) {
    pointHealthAtPeers(options.services, envs);
    pointAdminChecksAtAuth(options.services, envs);
  }
  return options.services.map((service, index) => {
    const env = envs[index]!;
    return {
      name: service.name,
      command: options.nodePath,
      args: [join(options.repoRoot, service.entry)],
      env,
      healthService: service.healthService,
      grpcHost: connectHost(env.GRPC_HOST),
      opsHost: connectHost(env.OPS_HOST),
    };
  });
}

/**
 * Tells the health service where its peers listen when their ports were moved
 * (GATEHOUSE_<SERVICE>_GRPC_PORT), unless HEALTH_<SERVICE>_ADDR / _OPS_URL say otherwise.
 */
function pointHealthAtPeers(services: readonly CatalogService[], envs: Record<string, string>[]): void {
  const health = envs[services.findIndex((service) => service.name === 'health')];
  if (health === undefined) return;
  services.forEach((service, index) => {
    const env = envs[index]!;
    if (service.name === 'health') return;
    health[`HEALTH_${service.envKey}_ADDR`] ??= `${connectHost(env.GRPC_HOST)}:${env.GRPC_PORT}`;
    health[`HEALTH_${service.envKey}_OPS_URL`] ??= `http://${connectHost(env.OPS_HOST)}:${env.OPS_PORT}`;
  });
}

/** The variable each service reads for the auth service that verifies callers of its admin RPCs. */
const authAddressVariables: Readonly<Record<string, string>> = {
  'rate-limit': 'RATELIMIT_AUTH_ADDR',
  'cost-budget': 'BUDGET_AUTH_ADDR',
};

/**
 * Tells rate-limit and cost-budget where auth listens (it may have been moved with
 * GATEHOUSE_AUTH_GRPC_PORT), unless RATELIMIT_AUTH_ADDR / BUDGET_AUTH_ADDR say otherwise.
 */
function pointAdminChecksAtAuth(services: readonly CatalogService[], envs: Record<string, string>[]): void {
  const auth = envs[services.findIndex((service) => service.name === 'auth')];
  if (auth === undefined) return;
  const address = `${connectHost(auth.GRPC_HOST)}:${auth.GRPC_PORT}`;
  services.forEach((service, index) => {
    const variable = authAddressVariables[service.name];
    if (variable !== undefined) envs[index]![variable] ??= address;
  });
}
