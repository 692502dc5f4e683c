import { createManualClock } from '@gatehouse/runtime';
import { describe, expect, it } from 'vitest';
import type { ProbeResult, Target } from '../targets/target';
import { ClusterMonitor } from './cluster-monitor';
import { overallStatus, type ComponentState } from './component-state';

function scriptedTarget(name: string, critical: boolean, initial: ProbeResult) {
  let next: ProbeResult | 'hang' = initial;
  const target: Target = {
    name,
    kind: 'grpc',
    critical,
    probe: () => (next === 'hang' ? new Promise<ProbeResult>(() => undefined) : Promise.resolve(next)),
    close: async () => undefined,
  };
  return { target, set: (result: ProbeResult | 'hang') => (next = result) };
}

const serving: ProbeResult = { status: 'SERVING', detail: 'serving' };

describe('overallStatus', () => {
  const component = (status: ComponentState['status'], critical: boolean) =>
    ({ status, critical }) as ComponentState;
  it.each([
    [[component('SERVING', true), component('SERVING', false)], 'SERVING'],
    [[component('SERVING', true), component('NOT_SERVING', false)], 'DEGRADED'],
    [[component('DEGRADED', true), component('SERVING', false)], 'DEGRADED'],
    [[component('NOT_SERVING', true), component('SERVING', false)], 'NOT_SERVING'],
    [[], 'SERVING'],
  ] as const)('%j -> %s', (components, expected) => {
    expect(overallStatus(components)).toBe(expected);
  });
});

describe('ClusterMonitor', () => {
  it('records status, latency, detail and since; tells listeners only about changes', async () => {
    const clock = createManualClock(1_000_000);
    const auth = scriptedTarget('auth', true, serving);
    const redis = scriptedTarget('redis', false, serving);
    const monitor = new ClusterMonitor({
      targets: [auth.target, redis.target],
      clock,
      intervalMs: 1000,
      probeTimeoutMs: 200,
    });
    const heard: string[] = [];
    monitor.subscribe((snapshot) => heard.push(snapshot.status));

    await monitor.poll();
    expect(monitor.snapshot().status).toBe('SERVING');
    clock.advance(1000);
    await monitor.poll();
    expect(heard).toEqual(['SERVING']);
    expect(monitor.snapshot().components[0]).toMatchObject({ since: 1_000_000, checkedAt: 1_001_000 });

    clock.advance(1000);
    redis.set({ status: 'NOT_SERVING', detail: 'connect ECONNREFUSED 127.0.0.1:6379' });
    await monitor.poll();
    expect(monitor.snapshot()).toMatchObject({
      status: 'DEGRADED',
      components: [
        { name: 'auth', status: 'SERVING', since: 1_000_000 },
        {
          name: 'redis',
          status: 'NOT_SERVING',
          since: 1_002_000,
          detail: 'connect ECONNREFUSED 127.0.0.1:6379',
        },
      ],
    });
    clock.advance(1000);
    auth.set({ status: 'NOT_SERVING', detail: 'UNAVAILABLE: connection refused' });
    await monitor.poll();
    expect(heard).toEqual(['SERVING', 'DEGRADED', 'NOT_SERVING']);
  });

  it('marks a target that does not answer in time NOT_SERVING', async () => {
    const stuck = scriptedTarget('auth', true, serving);
    stuck.set('hang');
    const monitor = new ClusterMonitor({
      targets: [stuck.target],
      clock: createManualClock(),
      intervalMs: 1000,
      probeTimeoutMs: 50,
    });
    const snapshot = await monitor.poll();
    expect(snapshot.components[0]).toMatchObject({ status: 'NOT_SERVING', detail: 'no answer within 50 ms' });
    expect(snapshot.status).toBe('NOT_SERVING');
  });
});
