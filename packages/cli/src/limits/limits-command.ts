import { ratelimitV1 } from '@gatehouse/contracts';
import { UsageError } from '../usage-error';
import { commandGroup } from '../shared/command-group';
import {
  integerOption,
  requiredString,
  stringList,
  stringOption,
  type LeafInput,
  type LeafSpec,
  type OptionValues,
} from '../shared/leaf-command';
import { enumLabel, formatTime, renderTable, messageJson, toJson } from '../shared/output-format';
import { unaryCall } from '../shared/unary-call';
import { withService } from '../shared/with-service';
import { formatDescriptor, parseDescriptor } from './descriptor-argument';

const descriptorOptions = {
  domain: { type: 'string' },
  descriptor: { type: 'string', multiple: true },
} as const;

const descriptorHelp = `  --domain <domain>              the rules' domain, e.g. gatehouse (required)
  --descriptor <k=v[,k=v…]>      one descriptor, entries in rule order; repeatable (at least one)`;

function descriptorsOf(values: OptionValues): ratelimitV1.RateLimitDescriptor[] {
  const descriptors = stringList(values, 'descriptor').map(parseDescriptor);
  if (descriptors.length === 0) throw new UsageError('at least one --descriptor is required');
  return descriptors;
}

function withRateLimit<T>(
  input: LeafInput,
  context: Parameters<LeafSpec['run']>[1],
  use: (client: ratelimitV1.RateLimitServiceClient, metadata: import('@grpc/grpc-js').Metadata) => Promise<T>,
  credential: 'required' | 'optional' = 'optional',
) {
  return withService(ratelimitV1.RateLimitServiceClient, input, context, credential, use);
}

/** One row per descriptor: its decision and the rule that decided. */
export function renderStatuses(
  descriptors: readonly ratelimitV1.RateLimitDescriptor[],
  statuses: readonly ratelimitV1.DescriptorStatus[],
): string {
  return renderTable(
    ['DESCRIPTOR', 'ALLOWED', 'LIMIT', 'REMAINING', 'RESET MS', 'RETRY MS', 'RULE'],
    statuses.map((status, index) => {
      const descriptor = descriptors[index];
      return [
        descriptor === undefined ? '-' : formatDescriptor(descriptor),
        `${status.allowed ? 'yes' : 'no'}${status.shadowMode ? ' (shadow)' : ''}`,
        status.limit === 0 ? '-' : String(status.limit),
        String(status.remaining),
        status.resetAfterMs.toString(),
        status.retryAfterMs.toString(),
        status.rule === '' ? '-' : status.rule,
      ];
    }),
  );
}

const checkSpec: LeafSpec = {
  path: 'limits check',
  summary: 'ask CheckLimit (counts hits; --hits 0 peeks); exits 1 when refused',
  service: 'rateLimit',
  options: { ...descriptorOptions, hits: { type: 'string' } },
  help: `Usage: gatehouse limits check --domain <domain> --descriptor <k=v[,k=v…]> [--descriptor …] [--hits <n>]

Asks the rate-limit service whether a request with these descriptors may proceed (CheckLimit),
all-or-nothing over the descriptors. The hits are counted: use --hits 0 to look without consuming.
Exits 0 when allowed, 1 when over the limit.

Options:
${descriptorHelp}
  --hits <n>                     weight of the request, default 1; 0 peeks
`,
  async run(input, context) {
    const domain = requiredString(input.values, 'domain');
    const descriptors = descriptorsOf(input.values);
    const hits =
      stringOption(input.values, 'hits') === undefined ? undefined : integerOption(input.values, 'hits', 1);
    const response = await withRateLimit(input, context, (client, metadata) =>
      unaryCall(client, client.checkLimit, { domain, descriptors, hits }, metadata, input.target),
    );
    if (input.json) context.stdout.write(toJson(messageJson(ratelimitV1.CheckLimitResponse, response)));
    else {
      const verdict = response.allowed
        ? `allowed (${response.remaining} of ${response.limit} left)`
        : `over the limit: retry after ${response.retryAfterMs} ms`;
      const fallback = response.fallback ? ' [fallback: the store did not answer]' : '';
      context.stdout.write(`${verdict}${fallback}\n\n${renderStatuses(descriptors, response.statuses)}`);
    }
    return response.allowed ? 0 : 1;
  },
};

const statusSpec: LeafSpec = {
  path: 'limits status',
  summary: 'the state of descriptors without counting (GetLimitStatus)',
  service: 'rateLimit',
  options: descriptorOptions,
  help: `Usage: gatehouse limits status --domain <domain> --descriptor <k=v[,k=v…]> [--descriptor …]

Shows what is left for each descriptor without consuming anything (GetLimitStatus).

Options:
${descriptorHelp}
`,
  async run(input, context) {
    const domain = requiredString(input.values, 'domain');
    const descriptors = descriptorsOf(input.values);
    const response = await withRateLimit(input, context, (client, metadata) =>
      unaryCall(client, client.getLimitStatus, { domain, descriptors }, metadata, input.target),
    );
    context.stdout.write(
      input.json
        ? toJson(messageJson(ratelimitV1.GetLimitStatusResponse, response))
        : renderStatuses(descriptors, response.statuses),
    );
    return 0;
  },
};

/** The rules in force, one row each. */
export function renderRules(response: ratelimitV1.ListRulesResponse): string {
  const rows = response.rules.map((rule) => [
    rule.domain,
    rule.name,
    rule.descriptorPath,
    enumLabel(ratelimitV1.algorithmToJSON(rule.algorithm), 'ALGORITHM_').toLowerCase(),
    rule.unlimited ? 'unlimited' : `${rule.requestsPerUnit}/${rule.windowMs.toString()} ms`,
    rule.burst === 0 ? '-' : String(rule.burst),
    rule.tier === '' ? '-' : rule.tier,
    rule.shadowMode ? 'yes' : 'no',
  ]);
  return (
    `rules version ${response.version === '' ? '-' : response.version}, loaded ${formatTime(response.loadedAt)}\n\n` +
    renderTable(['DOMAIN', 'RULE', 'DESCRIPTOR', 'ALGORITHM', 'LIMIT', 'BURST', 'TIER', 'SHADOW'], rows)
  );
}

const rulesSpec: LeafSpec = {
  path: 'limits rules',
  summary: 'the rules in force and their version (ListRules)',
  service: 'rateLimit',
  options: { domain: { type: 'string' } },
  help: `Usage: gatehouse limits rules [--domain <domain>]

Lists the rate-limit rules the service has loaded (ListRules), with their version.

Options:
  --domain <domain>              only this domain's rules
`,
  async run(input, context) {
    const domain = stringOption(input.values, 'domain') ?? '';
    const response = await withRateLimit(input, context, (client, metadata) =>
      unaryCall(client, client.listRules, { domain }, metadata, input.target),
    );
    context.stdout.write(
      input.json ? toJson(messageJson(ratelimitV1.ListRulesResponse, response)) : renderRules(response),
    );
    return 0;
  },
};

const resetSpec: LeafSpec = {
  path: 'limits reset',
  summary: "forget one descriptor's counters (ResetLimit; admin)",
  service: 'rateLimit',
  options: { domain: { type: 'string' }, descriptor: { type: 'string' } },
  help: `Usage: gatehouse limits reset --domain <domain> --descriptor <k=v[,k=v…]>

Forgets the counters of one descriptor (ResetLimit), so its next request starts a fresh window.
Needs an admin credential (the stored login, --token or GATEHOUSE_TOKEN): the rate-limit service
verifies it with the auth service at RATELIMIT_AUTH_ADDR.

Options:
  --domain <domain>              the rules' domain, e.g. gatehouse (required)
  --descriptor <k=v[,k=v…]>      the descriptor, entries in rule order (required)
`,
  async run(input, context) {
    const domain = requiredString(input.values, 'domain');
    const descriptor = parseDescriptor(requiredString(input.values, 'descriptor'));
    const response = await withRateLimit(
      input,
      context,
      (client, metadata) =>
        unaryCall(client, client.resetLimit, { domain, descriptor }, metadata, input.target),
      'required',
    );
    if (input.json) context.stdout.write(toJson(messageJson(ratelimitV1.ResetLimitResponse, response)));
    else {
      const n = response.countersRemoved;
      context.stdout.write(
        `Reset ${formatDescriptor(descriptor)} in ${domain}: ${n} counter${n === 1 ? '' : 's'} removed.\n`,
      );
    }
    return 0;
  },
};

export const limitsSpecs: readonly LeafSpec[] = [checkSpec, statusSpec, rulesSpec, resetSpec];

export const limitsCommand = commandGroup('limits', 'check rate limits and read the rules', limitsSpecs);
