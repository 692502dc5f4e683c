import type { Scenario } from '../scenario';
import { emptyGrpcCall } from './empty-grpc-call';
import { runtimeHostCall } from './runtime-host-call';

/** The baseline every figure is compared with; it runs in every bench run. */
export const baselineScenario: Scenario = emptyGrpcCall;

/** Every scenario besides the baseline, in run order. */
export const scenarios: readonly Scenario[] = [runtimeHostCall];
