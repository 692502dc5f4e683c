import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageExitCode, type CliContext, type Command } from '../command';
import { UsageError } from '../usage-error';
import { CliFailure } from './cli-failure';
import { cliServices, serviceAddress, type CliServiceName } from './service-address';
import type { CallTarget } from './unary-call';

/** The option definitions of node:util parseArgs. */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Option values as node:util parseArgs returns them. */
export type OptionValues = { [name: string]: string | boolean | (string | boolean)[] | undefined };

/** What a leaf command's run receives, parsed. */
export interface LeafInput {
  values: OptionValues;
  positionals: string[];
  /** `--json`: machine-readable output. */
  json: boolean;
  /** `--token`, when given. */
  tokenFlag: string | undefined;
  /** The service this command calls: address from --addr / env / default, and the deadline. */
  target: CallTarget;
}

/** One runnable command, e.g. `gatehouse users create`. */
export interface LeafSpec {
  /** The words after `gatehouse`, e.g. "users create". */
  path: string;
  /** One line for the group's help. */
  summary: string;
  /** The usage line(s) and description; the common options are appended. */
  help: string;
  /** The service `--addr` points at. */
  service: CliServiceName;
  options?: OptionsConfig;
  /** How many positional arguments are accepted; none when absent. */
  positionals?: { min: number; max: number };
  run(input: LeafInput, context: CliContext): Promise<number>;
}

const commonOptions: OptionsConfig = {
  addr: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
  timeout: { type: 'string', default: '10000' },
  help: { type: 'boolean', short: 'h', default: false },
};

/** The full `--help` text of a leaf command. */
export function leafUsage(spec: LeafSpec): string {
  const service = cliServices[spec.service];
  return [
    spec.help.trimEnd(),
    '',
    'Common options:',
    `  --addr <host:port>   the ${service.label} service (default $${service.variable} or ${service.defaultAddress})`,
    '  --token <credential> access token or API key (default $GATEHOUSE_TOKEN, else the stored login)',
    '  --json               machine-readable output (int64 values as strings)',
    '  --timeout <ms>       deadline of each call, default 10000',
    '  -h, --help           show this help',
    '',
  ].join('\n');
}

/** Parses, runs and maps failures to exit codes: 0 ok, 1 the call failed, 2 usage. */
export async function runLeaf(spec: LeafSpec, args: readonly string[], context: CliContext): Promise<number> {
  let input: LeafInput;
  try {
    const parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: true,
      options: { ...commonOptions, ...spec.options },
    });
    const values = parsed.values as OptionValues;
    if (values.help === true) {
      context.stdout.write(leafUsage(spec));
      return 0;
    }
    const allowed = spec.positionals ?? { min: 0, max: 0 };
    if (parsed.positionals.length < allowed.min) throw new UsageError('missing argument');
    if (parsed.positionals.length > allowed.max) {
      throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[allowed.max])}`);
    }
    const timeoutMs = Number(values.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new UsageError('--timeout must be a positive integer (milliseconds)');
    }
    input = {
      values,
      positionals: parsed.positionals,
      json: values.json === true,
      tokenFlag: typeof values.token === 'string' ? values.token : undefined,
      target: {
        service: spec.service,
        address: serviceAddress(spec.service, stringOption(values, 'addr'), context.env),
        timeoutMs,
      },
    };
  } catch (error) {
    return usageFailure(spec, error, context);
  }
  try {
    return await spec.run(input, context);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(spec, error, context);
    if (error instanceof CliFailure) {
      context.stderr.write(`gatehouse ${spec.path}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function usageFailure(spec: LeafSpec, error: unknown, context: CliContext): number {
  const message = error instanceof Error ? error.message : String(error);
  context.stderr.write(`gatehouse ${spec.path}: ${message}\n\n${leafUsage(spec)}`);
  return usageExitCode;
}

/** A top-level command that is one leaf (e.g. `gatehouse health`). */
export function leafCommand(spec: LeafSpec): Command {
  return { name: spec.path, summary: spec.summary, run: (args, context) => runLeaf(spec, args, context) };
}

/** A string option's value, or undefined. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A required string option; its absence is a usage error. */
export function requiredString(values: OptionValues, name: string): string {
  const value = stringOption(values, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** Every value of a repeatable string option. */
export function stringList(values: OptionValues, name: string): string[] {
  const value = values[name];
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.filter((item): item is string => typeof item === 'string');
}

/** Comma-separated values of (possibly repeated) options, trimmed, empty ones dropped. */
export function commaList(values: OptionValues, name: string): string[] {
  return stringList(values, name)
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A non-negative integer option, or `fallback` when absent. */
export function integerOption(values: OptionValues, name: string, fallback: number): number {
  const text = stringOption(values, name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}
