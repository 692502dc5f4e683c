import type { Env } from '../command';

/** The Gatehouse services the CLI talks to, with their default gRPC addresses. */
export const cliServices = {
  auth: { label: 'auth', variable: 'GATEHOUSE_AUTH_ADDR', defaultAddress: '127.0.0.1:50051' },
  rateLimit: {
    label: 'rate-limit',
    variable: 'GATEHOUSE_RATE_LIMIT_ADDR',
    defaultAddress: '127.0.0.1:50052',
  },
  costBudget: {
    label: 'cost-budget',
    variable: 'GATEHOUSE_COST_BUDGET_ADDR',
    defaultAddress: '127.0.0.1:50053',
  },
  health: { label: 'health', variable: 'GATEHOUSE_HEALTH_ADDR', defaultAddress: '127.0.0.1:50054' },
} as const;

export type CliServiceName = keyof typeof cliServices;

/** Where one service is reached: `--addr`, else `GATEHOUSE_<SVC>_ADDR`, else the local default. */
export function serviceAddress(service: CliServiceName, flag: string | undefined, env: Env): string {
  const entry = cliServices[service];
  if (flag !== undefined && flag !== '') return flag;
  const fromEnv = env[entry.variable];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return entry.defaultAddress;
}
