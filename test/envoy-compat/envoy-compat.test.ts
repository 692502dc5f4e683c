import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createManualClock } from '@gatehouse/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { readRateLimitConfig } from '../../services/rate-limit/src/config';
import { loadRules } from '../../services/rate-limit/src/rules/load-rules';
import { RulesError } from '../../services/rate-limit/src/rules/rules-error';
import { startRateLimit } from '../../services/rate-limit/src/test-support/start-rate-limit';
import { testRedisUrl } from '../support/test-env';
import { answerOf, expectedOf, readCompatCases, requestOf, type CompatCase } from './compat-case';

// envoyproxy/ratelimit's configuration language, one behaviour per case (test/envoy-compat/cases):
// each case's files are loaded as RATELIMIT_CONFIG, then asked through Envoy's ShouldRateLimit on
// both stores. The suite counts as Envoy does (fixed windows aligned to the clock).
const cases = readCompatCases(join(__dirname, 'cases'));
const suiteSettings = { RATELIMIT_DEFAULT_ALGORITHM: 'fixed_window' };
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function writeFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-envoy-compat-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const title = (c: CompatCase) => `${c.file}: ${c.name}`;

describe('Envoy compatibility: what loads, what is refused', () => {
  it.each(cases.map((c) => [title(c), c] as const))('%s', async (_title, c) => {
    const { rateLimit } = readRateLimitConfig({ ...suiteSettings, ...c.settings });
    const loading = loadRules(writeFiles(c.files), {
      mergeDomains: rateLimit.mergeDomains,
      defaultAlgorithm: rateLimit.defaultAlgorithm,
    });
    if (c.error !== undefined) {
      const error = await loading.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(RulesError);
      for (const fragment of c.error) expect((error as Error).message).toContain(fragment);
      return;
    }
    const { warnings } = await loading;
    const expected = c.warnings ?? [];
    expect(warnings).toHaveLength(expected.length);
    expected.forEach((fragment, i) => expect(warnings[i]).toContain(fragment));
  });
});

const answered = cases.filter((c) => c.steps !== undefined && c.error === undefined);

describe.each(['memory', 'redis'] as const)('Envoy compatibility: ShouldRateLimit answers on %s', (store) => {
  it.each(answered.map((c) => [title(c), c] as const))('%s', async (_title, c) => {
    const clock = createManualClock(Date.parse(c.at ?? '2026-01-01T00:00:00Z'));
    const service = await startRateLimit({
      rules: c.files,
      redisUrl: store === 'redis' ? testRedisUrl : undefined,
      clock,
      env: { ...suiteSettings, ...c.settings },
    });
    try {
      for (const [index, step] of (c.steps ?? []).entries()) {
        if (step.advance !== undefined) clock.advance(step.advance);
        const answer = answerOf(await service.shouldRateLimit(requestOf(step)));
        expect({ step: index, ...answer }).toEqual({ step: index, ...expectedOf(step) });
      }
    } finally {
      await service.stop();
    }
  });
});
