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
  /** Where its built entry point lives, relative to the repository root. */
  readonly entry: string;
}

/** The services of a Gatehouse cluster, in start-up and display order. */
export const serviceCatalog: readonly CatalogService[] = [
  {
    name: 'auth',
    entry: 'services/auth/dist/main.js',
    envKey: 'AUTH',
    healthService: serviceNames.auth,
    defaultGrpcPort: 50051,
    defaultOpsPort: 8081,
  },
  {
    name: 'rate-limit',
    entry: 'services/rate-limit/dist/main.js',
    envKey: 'RATE_LIMIT',
    healthService: serviceNames.rateLimit,
    defaultGrpcPort: 50052,
    defaultOpsPort: 8082,
  },
  {
    name: 'cost-budget',
    entry: 'services/cost-budget/dist/main.js',
    envKey: 'COST_BUDGET',
    healthService: serviceNames.costBudget,
    defaultGrpcPort: 50053,
    defaultOpsPort: 8083,
  },
  {
    name: 'health',
    entry: 'services/health/dist/main.js',
    envKey: 'HEALTH',
    healthService: serviceNames.health,
    defaultGrpcPort: 50054,
    defaultOpsPort: 8084,
  },
];

/** The example service behind the Gatehouse interceptors; `gatehouse up --example` starts it too. */
export const exampleService: CatalogService = {
  name: 'notes',
  entry: 'examples/notes/dist/main.js',
  envKey: 'NOTES',
  healthService: 'gatehouse.examples.notes.v1.NotesService',
  defaultGrpcPort: 50060,
  defaultOpsPort: 8090,
};
