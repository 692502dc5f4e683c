import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One row of a metric table in docs/observability.md. */
export interface DocumentedMetric {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  /** The table's heading: "Every service", "auth", "rate-limit", "cost-budget" or "health". */
  section: string;
}

const docPath = fileURLToPath(new URL('../../docs/observability.md', import.meta.url));
const metricRow = /^\|\s*`([a-zA-Z_:][a-zA-Z0-9_:]*)`\s*\|\s*(counter|gauge|histogram)\s*\|/;

/** Every metric in the tables of the "## Metrics" section, with the heading of its table. */
export function documentedMetrics(markdown = readFileSync(docPath, 'utf8')): DocumentedMetric[] {
  const metrics: DocumentedMetric[] = [];
  let inMetrics = false;
  let section = '';
  for (const line of markdown.split('\n')) {
    if (line.startsWith('## ')) inMetrics = line.trim() === '## Metrics';
    else if (inMetrics && line.startsWith('### ')) section = line.slice(4).trim();
    const row = inMetrics ? metricRow.exec(line) : null;
    if (row !== null) metrics.push({ name: row[1]!, type: row[2] as DocumentedMetric['type'], section });
  }
  return metrics;
}

/** The metrics a service's /metrics must serve: the common table plus its own. */
export function metricsOf(service: string, metrics = documentedMetrics()): DocumentedMetric[] {
  return metrics.filter((m) => m.section === 'Every service' || m.section === service);
}

const promqlWords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads: identifiers that are not functions, keywords,
 * label names (in matchers, `by`/`without` lists) or inside strings and ranges.
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call !== undefined || promqlWords.has(name!.toLowerCase())) continue;
    names.add(name!);
  }
  return [...names];
}

/** A histogram's series (`_bucket`, `_sum`, `_count`) mapped back to its documented name. */
export function baseMetricName(name: string, metrics: readonly DocumentedMetric[]): string {
  const histogram = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (histogram !== null && metrics.some((m) => m.name === histogram[1] && m.type === 'histogram')) {
    return histogram[1]!;
  }
  return name;
}
