export { runCli, usage, type RunCliOptions } from './cli';
export { commands } from './commands';
export { usageExitCode, type CliContext, type Command, type Env, type OutputStream } from './command';
export { UsageError } from './usage-error';
export { upCommand, runUp } from './up/up-command';
export { probeCommand, probeUsage, checkServingStatus } from './probe/probe-command';
export { readUpOptions, upUsage, type UpOptions } from './up/up-options';
export { exampleService, serviceCatalog, type CatalogService } from './up/service-catalog';
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
export { healthCommand, healthSpec, renderClusterHealth } from './health/health-command';
export { loginCommand, loginSpec } from './login/login-command';
export { logoutCommand, logoutSpec } from './login/logout-command';
export { usersCommand, usersSpecs, renderUsers } from './users/users-command';
export { keysCommand, keysSpecs, renderApiKeys } from './keys/keys-command';
export { signingKeysCommand, signingKeysSpecs } from './signing-keys/signing-keys-command';
export { limitsCommand, limitsSpecs, renderStatuses, renderRules } from './limits/limits-command';
export { parseDescriptor, formatDescriptor } from './limits/descriptor-argument';
export { budgetsCommand, budgetsSpecs, renderBudgetState, renderBudgets } from './budgets/budgets-command';
export { parseUsd, parseMicros, formatUsd } from './budgets/money';
export { parseScope, formatScope, parseScopeKind, parsePeriod, formatPeriod } from './budgets/scope-argument';
export { tokenCommand, tokenSpecs, renderPrincipal } from './token/token-command';
export { decodeJwt, renderDecodedJwt, type DecodedJwt } from './token/decode-jwt';
export { CliFailure } from './shared/cli-failure';
export { commandGroup } from './shared/command-group';
export {
  leafCommand,
  leafUsage,
  runLeaf,
  type LeafInput,
  type LeafSpec,
  type OptionValues,
  type OptionsConfig,
} from './shared/leaf-command';
export { cliServices, serviceAddress, type CliServiceName } from './shared/service-address';
export {
  configDir,
  credentialsPath,
  saveCredentials,
  loadCredentials,
  deleteCredentials,
  type StoredCredentials,
} from './shared/credential-store';
export {
  findCredential,
  requireCredential,
  credentialMetadata,
  isJwt,
  type CallerCredential,
} from './shared/caller-credential';
export { describeCallError, isUnreachable } from './shared/describe-call-error';
export { readRefusalDetails, type RefusalDetails } from './shared/error-details';
export { renderTable, toJson, formatTime, formatList, enumLabel } from './shared/output-format';
export { readPassword } from './shared/read-password';
