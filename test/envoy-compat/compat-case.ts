import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envoyRateLimitUnitV3, envoyRateLimitV3 } from '@gatehouse/contracts';
import { parse } from 'yaml';

/**
 * One Envoy behaviour, stated as rules files and what loading them, then asking, answers. The
 * answers are Envoy's, except where `differs` says how and why Gatehouse answers otherwise.
 */
export interface CompatCase {
  /** The topic file it is in, and its name there. */
  file: string;
  name: string;
  /** What envoyproxy/ratelimit does, in a sentence. */
  envoy: string;
  /** Where Gatehouse deliberately answers otherwise, and why. */
  differs?: string;
  /** The clock at the first request (ISO time); default 2026-01-01T00:00:00Z, aligned to every unit up to a week. */
  at?: string;
  /** Service settings (environment variables) beyond the suite's. */
  settings?: Record<string, string>;
  /** Rules files by name. */
  files: Record<string, string>;
  /** Loading is refused with a message containing each of these (the file and the field). */
  error?: string[];
  /** Loading succeeds with exactly these warnings (each named by a fragment). */
  warnings?: string[];
  steps?: CompatStep[];
}

export interface CompatStep {
  /** Milliseconds the clock moves before the request. */
  advance?: number;
  request: {
    domain: string;
    hits_addend?: number;
    /** Each descriptor: its entries as `key=value`, or entries with a limit override and hits_addend. */
    descriptors: (string[] | { entries: string[]; limit?: string; hits_addend?: number })[];
  };
  expect: { overall: 'OK' | 'OVER_LIMIT'; statuses: ExpectedStatus[] };
}

/** A descriptor status: `limit` as `requests/UNIT`, `reset` in seconds; absent fields are absent from the answer. */
export interface ExpectedStatus {
  code: 'OK' | 'OVER_LIMIT';
  limit?: string;
  name?: string;
  remaining?: number;
  reset?: number;
}

/** Every case of every topic file under `dir`, in file order. */
export function readCompatCases(dir: string): CompatCase[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .flatMap((file) => {
      const topic = parse(readFileSync(join(dir, file), 'utf8')) as { cases: Omit<CompatCase, 'file'>[] };
      return topic.cases.map((compatCase) => ({ ...compatCase, file }));
    });
}

const { RateLimitResponse_Code: Code, RateLimitResponse_RateLimit_Unit: Unit } = envoyRateLimitV3;

function entriesOf(pairs: string[]) {
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    return at < 0 ? { key: pair, value: '' } : { key: pair.slice(0, at), value: pair.slice(at + 1) };
  });
}

/** A descriptor's limit override, `requests/UNIT`. */
function limitOf(text: string) {
  const [requests, unit] = text.split('/');
  const { RateLimitUnit } = envoyRateLimitUnitV3;
  return { requestsPerUnit: Number(requests), unit: RateLimitUnit[unit as keyof typeof RateLimitUnit] };
}

/** The ShouldRateLimit request a step describes. */
export function requestOf(step: CompatStep): envoyRateLimitV3.RateLimitRequest {
  return {
    domain: step.request.domain,
    hitsAddend: step.request.hits_addend ?? 0,
    descriptors: step.request.descriptors.map((descriptor) => {
      if (Array.isArray(descriptor))
        return { entries: entriesOf(descriptor), limit: undefined, hitsAddend: undefined };
      return {
        entries: entriesOf(descriptor.entries),
        limit: descriptor.limit === undefined ? undefined : limitOf(descriptor.limit),
        hitsAddend: descriptor.hits_addend === undefined ? undefined : BigInt(descriptor.hits_addend),
      };
    }),
  };
}

/** An answer in the cases' terms, to compare with `expect` as a whole. */
export function answerOf(response: envoyRateLimitV3.RateLimitResponse): CompatStep['expect'] {
  return {
    overall: Code[response.overallCode] as 'OK' | 'OVER_LIMIT',
    statuses: response.statuses.map((status) => {
      const out: ExpectedStatus = { code: Code[status.code] as 'OK' | 'OVER_LIMIT' };
      if (status.currentLimit !== undefined) {
        out.limit = `${status.currentLimit.requestsPerUnit}/${Unit[status.currentLimit.unit]}`;
        out.name = status.currentLimit.name;
      }
      out.remaining = status.limitRemaining;
      if (status.durationUntilReset !== undefined) {
        const { seconds, nanos } = status.durationUntilReset;
        out.reset = Number(seconds) + nanos / 1e9;
      }
      return out;
    }),
  };
}

/** `expect` with its defaults filled in: a limit's name is '' and remaining 0 unless given. */
export function expectedOf(step: CompatStep): CompatStep['expect'] {
  return {
    overall: step.expect.overall,
    statuses: step.expect.statuses.map((status) => ({
      ...status,
      ...(status.limit === undefined ? {} : { name: status.name ?? '' }),
      remaining: status.remaining ?? 0,
    })),
  };
}
