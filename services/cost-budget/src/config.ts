import { EnvReader, readCommonConfig, type CommonConfig, type Env } from '@gatehouse/config';

/** Configuration of the cost-budget service. Service-specific keys join the common ones as features land. */
export type CostBudgetConfig = CommonConfig;

export function readCostBudgetConfig(env: Env): Readonly<CostBudgetConfig> {
  const reader = new EnvReader(env);
  return reader.finish(readCommonConfig(reader, { service: 'cost-budget', grpcPort: 50053, opsPort: 8083 }));
}
