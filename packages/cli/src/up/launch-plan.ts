import { join } from 'node:path';
import type { Env } from '../command';
import { childEnv, connectHost } from './child-env';
import type { ChildSpec } from './managed-child';
import type { CatalogService } from './service-catalog';

export interface LaunchPlanOptions {
  services: readonly CatalogService[];
  env: Env;
  ephemeralPorts: boolean;
  /** Root of the checkout: each service runs from <repoRoot>/services/<name>/dist/main.js. */
  repoRoot: string;
  nodePath: string;
}

/** How to start each chosen service: `node services/<name>/dist/main.js` with its own env. */
export function planLaunches(options: LaunchPlanOptions): ChildSpec[] {
  return options.services.map((service) => {
    const env = childEnv(service, options.env, options.ephemeralPorts);
    return {
      name: service.name,
      command: options.nodePath,
      args: [join(options.repoRoot, 'services', service.name, 'dist', 'main.js')],
      env,
      healthService: service.healthService,
      grpcHost: connectHost(env.GRPC_HOST),
      opsHost: connectHost(env.OPS_HOST),
    };
  });
}
