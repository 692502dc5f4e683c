import { serviceNames } from '@gatehouse/contracts';

/** One Gatehouse service as `gatehouse up` knows it. */
export interface CatalogService {
  /** Short name: the folder under services/ and the log prefix. */
  readonly name: string;
  /** The middle of its port override variables: GATEHOUSE_<envKey>_GRPC_PORT / _OPS_PORT. */
  readonly envKey: string;
  /** Fully-qualified gRPC service whose grpc.health.v1 status says the service is ready. */
  readonly healthService: string;
  readonly defaultGrpcPort: number;
  readonly defaultOpsPort: number;
}

/** The services of a Gatehouse cluster, in start-up and display order. */
export const serviceCatalog: readonly CatalogService[] = [
  {
    name: 'auth',
    envKey: 'AUTH',
    healthService: serviceNames.auth,
    defaultGrpcPort: 50051,
    defaultOpsPort: 8081,
  },
  {
    name: 'rate-limit',
    envKey: 'RATE_LIMIT',
    healthService: serviceNames.rateLimit,
    defaultGrpcPort: 50052,
    defaultOpsPort: 8082,
  },
  {
    name: 'cost-budget',
    envKey: 'COST_BUDGET',
    healthService: serviceNames.costBudget,
    defaultGrpcPort: 50053,
    defaultOpsPort: 8083,
  },
  {
    name: 'health',
    envKey: 'HEALTH',
    healthService: serviceNames.health,
    defaultGrpcPort: 50054,
    defaultOpsPort: 8084,
  },
];
