import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { baseMetricName, documentedMetrics, metricNamesIn } from './observability-doc';

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

const dashboardPath = fileURLToPath(
  new URL('../../deploy/grafana/gatehouse-dashboard.json', import.meta.url),
);

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8')) as { title: string; panels: Panel[] };
  const documented = documentedMetrics();

  it('is a dashboard with panels that each query Prometheus', () => {
    expect(dashboard.title).toBe('Gatehouse');
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of dashboard.panels) expect(panel.targets?.length ?? 0, panel.title).toBeGreaterThan(0);
  });

  it('queries only metrics documented in docs/observability.md', () => {
    const names = new Set(documented.map((m) => m.name));
    const undocumented = dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).flatMap(({ expr }) =>
        metricNamesIn(expr)
          .filter((name) => !names.has(baseMetricName(name, documented)))
          .map((name) => `${panel.title}: ${name}`),
      ),
    );
    expect(undocumented).toEqual([]);
  });

  it('reads every domain metric family at least once', () => {
    const used = new Set(
      dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap(({ expr }) => metricNamesIn(expr))),
    );
    const families = ['auth_logins_total', 'auth_verifications_total', 'ratelimit_decisions_total'];
    families.push('ratelimit_fallback_total', 'budget_spent_micros_total', 'budget_events_total');
    families.push('store_operation_seconds_bucket', 'health_cluster_status', 'grpc_server_handled_total');
    expect(families.filter((name) => !used.has(name))).toEqual([]);
  });
});

describe('reading metric names out of PromQL', () => {
  it('skips functions, label names, strings, ranges and numbers', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (service, le) (rate(a_seconds_bucket{code=~"OK|x_total"}[5m]))) / 1e6 > b_total offset 1h',
      ),
    ).toEqual(['a_seconds_bucket', 'b_total']);
  });

  it('finds the tables of docs/observability.md, with their sections', () => {
    const documented = documentedMetrics();
    expect(documented.find((m) => m.name === 'auth_logins_total')).toEqual({
      name: 'auth_logins_total',
      type: 'counter',
      section: 'auth',
    });
    expect(new Set(documented.map((m) => m.section))).toEqual(
      new Set(['Every service', 'auth', 'rate-limit', 'cost-budget', 'health', 'notes']),
    );
  });
});
