import { describe, expect, it } from 'vitest';
import { summarizeStop } from './stop-summary';
import type { ServiceStop, StopReport } from './supervisor';

const exitedZero = { code: 0, signal: null };

function report(services: ServiceStop[]): StopReport {
  return { clean: services.every((s) => s.outcome === 'stopped'), services, graceMs: 15_000 };
}

function stopped(name: string, drain?: ServiceStop['drain']): ServiceStop {
  return { name, outcome: 'stopped', exit: exitedZero, recentLines: [], ...(drain ? { drain } : {}) };
}

describe('summarizeStop', () => {
  it('says how each service drained and exits 0 when all stopped cleanly', () => {
    const summary = summarizeStop(
      report([
        stopped('auth', { inFlight: 3, drained: 3, cancelled: 0, drainMs: 120 }),
        stopped('rate-limit', { inFlight: 1, drained: 1, cancelled: 0, drainMs: 4 }),
        stopped('cost-budget', { inFlight: 0, drained: 0, cancelled: 0, drainMs: 1 }),
        stopped('health'),
        { name: 'notes', outcome: 'stopped', exit: { code: null, signal: 'SIGTERM' }, recentLines: [] },
      ]),
      { elapsedMs: 640 },
    );
    expect(summary).toEqual({
      stopped: [
        'gatehouse up: auth stopped (drained 3 calls in 120 ms)',
        'gatehouse up: rate-limit stopped (drained 1 call in 4 ms)',
        'gatehouse up: cost-budget stopped (no calls in flight)',
        'gatehouse up: health stopped',
        'gatehouse up: notes stopped by SIGTERM while it was starting',
      ],
      problems: [],
      verdict: 'gatehouse up: all 5 services stopped cleanly in 0.6 s',
      exitStatus: 0,
    });
  });

  it('tells cancelled calls apart from drained ones', () => {
    const summary = summarizeStop(
      report([stopped('auth', { inFlight: 3, drained: 2, cancelled: 1, drainMs: 10_004 })]),
      { elapsedMs: 10_100 },
    );
    expect(summary.stopped).toEqual([
      'gatehouse up: auth stopped (drained 2 of 3 calls; cancelled 1 still running when SHUTDOWN_GRACE_MS ran out, after 10004 ms)',
    ]);
    expect(summary.verdict).toBe('gatehouse up: the service stopped cleanly in 10.1 s');
  });

  it('names what went wrong, with the last lines, and exits 1', () => {
    const summary = summarizeStop(
      report([
        stopped('auth'),
        { name: 'rate-limit', outcome: 'failed', exit: { code: 1, signal: null }, recentLines: ['boom'] },
        {
          name: 'cost-budget',
          outcome: 'overran',
          exit: { code: null, signal: 'SIGKILL' },
          recentLines: ['slow'],
        },
        { name: 'health', outcome: 'ended', exit: { code: 4, signal: null }, recentLines: ['gone'] },
        { name: 'notes', outcome: 'ended', exit: exitedZero, recentLines: [] },
      ]),
      { elapsedMs: 15_200 },
    );
    expect(summary).toEqual({
      stopped: ['gatehouse up: auth stopped'],
      problems: [
        'gatehouse up: rate-limit exited with code 1 while stopping',
        '  last output of rate-limit:',
        '    boom',
        'gatehouse up: cost-budget did not stop within 15 s of SIGTERM: killed',
        '  last output of cost-budget:',
        '    slow',
        'gatehouse up: health had already ended: it exited with code 4',
        'gatehouse up: notes had already stopped, on a signal sent to it directly',
      ],
      verdict: 'gatehouse up: stopped in 15.2 s; not cleanly: rate-limit, cost-budget, health, notes',
      exitStatus: 1,
    });
  });

  it('exits 128 + the signal number when a second signal killed services', () => {
    const summary = summarizeStop(
      report([
        stopped('auth', { inFlight: 0, drained: 0, cancelled: 0, drainMs: 2 }),
        { name: 'cost-budget', outcome: 'killed', exit: { code: null, signal: 'SIGKILL' }, recentLines: [] },
      ]),
      { insisted: 'SIGINT', signalNumber: 2, elapsedMs: 1500 },
    );
    expect(summary).toEqual({
      stopped: ['gatehouse up: auth stopped (no calls in flight)'],
      problems: ['gatehouse up: cost-budget was killed before it had finished stopping'],
      verdict: 'gatehouse up: killed cost-budget on the second SIGINT; exit status 130',
      exitStatus: 130,
    });
  });
});
