import { createLogger, createManualClock } from '@gatehouse/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogs } from '../../../../test/support/capture-logs';
import type { ComponentStatus } from '../targets/target';
import { ClusterLog } from './cluster-log';
import { overallStatus, type ClusterSnapshot, type ComponentState } from './component-state';

const refused = 'UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:50051';

function snapshot(states: Record<string, [ComponentStatus, string]>): ClusterSnapshot {
  const components = Object.entries(states).map(([name, [status, detail]]): ComponentState => ({
    name,
    kind: 'grpc',
    critical: true,
    status,
    detail,
    latencyMs: 1,
    checkedAt: 0,
    since: 0,
  }));
  return { status: overallStatus(components), components, checkedAt: 0 };
}

const logs: ClusterLog[] = [];
afterEach(() => logs.splice(0).forEach((log) => log.stop()));

function clusterLog(startupGraceMs: number, latest: () => ClusterSnapshot = () => snapshot({})) {
  const captured = captureLogs();
  const clock = createManualClock();
  const log = new ClusterLog({
    logger: createLogger({ service: 'health', level: 'debug', destination: captured.stream }),
    clock,
    startupGraceMs,
    snapshot: latest,
  });
  logs.push(log);
  const lines = () =>
    captured.lines().map(({ level, msg, components, starting }) => ({ level, msg, components, starting }));
  return { log, clock, lines };
}

describe('ClusterLog', () => {
  it('stays quiet about peers still starting, then says once that the cluster is serving', () => {
    const { log, clock, lines } = clusterLog(60_000);
    log.record(snapshot({ auth: ['NOT_SERVING', refused], 'rate-limit': ['NOT_SERVING', refused] }));
    clock.advance(2000);
    log.record(snapshot({ auth: ['NOT_SERVING', refused], 'rate-limit': ['SERVING', 'serving'] }));
    clock.advance(2000);
    log.record(snapshot({ auth: ['SERVING', 'serving'], 'rate-limit': ['SERVING', 'serving'] }));
    clock.advance(2000);
    log.record(snapshot({ auth: ['SERVING', 'serving'], 'rate-limit': ['SERVING', 'serving'] }));
    expect(lines()).toEqual([{ level: 'info', msg: 'cluster serving: auth, rate-limit' }]);
  });

  it('warns at once about a peer that served and went down, even during the start-up grace', () => {
    const { log, clock, lines } = clusterLog(60_000);
    log.record(snapshot({ auth: ['SERVING', 'serving'], 'rate-limit': ['NOT_SERVING', refused] }));
    clock.advance(2000);
    log.record(snapshot({ auth: ['NOT_SERVING', refused], 'rate-limit': ['NOT_SERVING', refused] }));
    expect(lines()).toEqual([
      {
        level: 'warn',
        msg: 'cluster not fully serving',
        components: [`auth: ${refused}`],
        starting: ['rate-limit'],
      },
    ]);
  });

  it('warns about a peer that never answered once the start-up grace is over', () => {
    const { log, clock, lines } = clusterLog(10_000);
    log.record(snapshot({ auth: ['NOT_SERVING', refused] }));
    clock.advance(10_000);
    log.record(snapshot({ auth: ['NOT_SERVING', 'UNAVAILABLE: still refused'] }));
    expect(lines()).toEqual([
      {
        level: 'warn',
        msg: 'cluster not fully serving',
        components: ['auth: has not served since start-up: UNAVAILABLE: still refused'],
      },
    ]);
  });

  it('warns when the grace ends with a peer still silent, though nothing changed', async () => {
    const latest = snapshot({ auth: ['NOT_SERVING', refused] });
    const { log, clock, lines } = clusterLog(50, () => latest);
    log.start();
    log.record(latest);
    expect(lines()).toEqual([]);
    clock.advance(50);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(lines()).toEqual([
      {
        level: 'warn',
        msg: 'cluster not fully serving',
        components: [`auth: has not served since start-up: ${refused}`],
      },
    ]);
  });

  it('takes a peer degraded since start-up as still starting', () => {
    const { log, lines } = clusterLog(60_000);
    log.record(snapshot({ auth: ['DEGRADED', 'ops port http://127.0.0.1:8081 did not answer'] }));
    log.record(snapshot({ auth: ['SERVING', 'serving'] }));
    expect(lines().map((line) => line.msg)).toEqual(['cluster serving: auth']);
  });

  it('warns about a degraded peer at once, and again when it serves no more', () => {
    const { log, lines } = clusterLog(60_000);
    log.record(snapshot({ auth: ['SERVING', 'serving'] }));
    log.record(snapshot({ auth: ['DEGRADED', 'redis: Connection is closed.'] }));
    log.record(snapshot({ auth: ['SERVING', 'serving'] }));
    expect(lines().map((line) => line.msg)).toEqual([
      'cluster serving: auth',
      'cluster not fully serving',
      'cluster serving: auth',
    ]);
  });
});
