export { runCli, usage, type RunCliOptions } from './cli';
export { commands } from './commands';
export { usageExitCode, type CliContext, type Command, type Env, type OutputStream } from './command';
export { UsageError } from './usage-error';
export { upCommand, runUp } from './up/up-command';
export { probeCommand, probeUsage, checkServingStatus } from './probe/probe-command';
export { readUpOptions, upUsage, type UpOptions } from './up/up-options';
export { serviceCatalog, type CatalogService } from './up/service-catalog';
export { childEnv, connectHost } from './up/child-env';
export { planLaunches, type LaunchPlanOptions } from './up/launch-plan';
export { formatLogLine, formatLogRecord, type LogStyle } from './up/format-log-line';
export { parseLogRecord, type LogRecord } from './up/log-record';
export { linePrefix, type LinePrefixOptions } from './up/line-prefix';
export { PrefixedOutput, type PrefixedOutputOptions } from './up/prefixed-output';
export { readServingAnnouncement, type ServingAnnouncement } from './up/serving-announcement';
export { describeExit, type ChildExit } from './up/child-exit';
export {
  ManagedChild,
  type ChildSpec,
  type LineWriter,
  type ManagedChildOptions,
  type OutputStreamName,
  type SpawnFunction,
} from './up/managed-child';
export {
  healthCheckProbe,
  type HealthCheckProbeOptions,
  type ProbeTarget,
  type ReadinessProbe,
} from './up/readiness-probe';
export { StartFailure, type FailedChild, type StartFailureReason } from './up/start-failure';
export {
  Supervisor,
  type ReadyService,
  type StopReport,
  type SupervisorOptions,
  type UnexpectedExit,
} from './up/supervisor';
export { renderReadyTable } from './up/ready-table';
