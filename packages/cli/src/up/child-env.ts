import type { Env } from '../command';
import type { CatalogService } from './service-catalog';

/**
 * The environment of one service's process: the CLI's own, with GRPC_PORT and OPS_PORT set for
 * that service (0 with ephemeral ports; else GATEHOUSE_<SERVICE>_GRPC_PORT / _OPS_PORT or its default),
 * so that one shared GRPC_PORT can never make four services fight over a port.
 */
export function childEnv(service: CatalogService, env: Env, ephemeralPorts: boolean): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) result[name] = value;
  }
  const override = (kind: 'GRPC' | 'OPS') => nonEmpty(env[`GATEHOUSE_${service.envKey}_${kind}_PORT`]);
  result.GRPC_PORT = ephemeralPorts ? '0' : (override('GRPC') ?? String(service.defaultGrpcPort));
  result.OPS_PORT = ephemeralPorts ? '0' : (override('OPS') ?? String(service.defaultOpsPort));
  return result;
}

/** The host to reach a server on that listens on `bindHost` (a wildcard address means this machine). */
export function connectHost(bindHost: string | undefined): string {
  const host = bindHost?.trim() || '0.0.0.0';
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
