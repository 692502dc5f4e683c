import type { Scenario } from '../scenario';
import { costBudgetPairFloor, costBudgetReserveCommit } from './cost-budget-reserve-commit';
import {
  authenticateApiKey,
  authenticateDuringLogins,
  authenticateFirstSight,
  authenticateRepeatedToken,
} from './auth-authenticate';
import { emptyGrpcCall } from './empty-grpc-call';
import { mixedProtectedRequest } from './mixed-protected-request';
import { notesInterceptors } from './notes-interceptors';
import { rateLimitScenarios } from './ratelimit-scenarios';
import { checkLimitTwoReplicas } from './ratelimit-two-replicas';
import { runtimeHostCall } from './runtime-host-call';

/** The baseline every figure is compared with; it runs in every bench run. */
export const baselineScenario: Scenario = emptyGrpcCall;

/** Every scenario besides the baseline, in run order. */
export const scenarios: readonly Scenario[] = [
  runtimeHostCall,
  authenticateRepeatedToken,
  authenticateApiKey,
  authenticateFirstSight,
  authenticateDuringLogins,
  ...rateLimitScenarios,
  checkLimitTwoReplicas,
  costBudgetPairFloor,
  costBudgetReserveCommit,
  mixedProtectedRequest,
  notesInterceptors,
];
