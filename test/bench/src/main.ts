// `npm run bench`: measures each scenario against a baseline run in the same process, prints a table
// and writes test/bench/results/latest.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { readBenchOptions } from './bench-options';
import { renderReportTable, reportRows, type BenchReport } from './bench-report';
import { runBench, selectScenarios } from './bench-run';
import { baselineScenario, scenarios } from './scenarios/all-scenarios';

async function main(): Promise<number> {
  let options;
  let selected;
  try {
    options = readBenchOptions(process.env);
    selected = selectScenarios(scenarios, options.only, baselineScenario);
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) process.stderr.write('bench: run with node --expose-gc for steadier figures\n');
  const startedAt = new Date().toISOString();
  process.stderr.write(
    `bench: ${1 + selected.length} scenario(s), ${options.durationMs} ms each per concurrency ` +
      `(+${options.warmupMs} ms warm-up)\n`,
  );
  const measurements = await runBench({
    ...options,
    baseline: baselineScenario,
    scenarios: selected,
    progress: (line) => process.stderr.write(`${line}\n`),
    gc,
  });
  const rows = reportRows(measurements);
  const report: BenchReport = {
    startedAt,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: availableParallelism(),
    durationMs: options.durationMs,
    warmupMs: options.warmupMs,
    rows,
  };
  process.stdout.write(`\n${renderReportTable(rows)}`);
  // dist/main.js -> test/bench/results/latest.json
  const resultsDir = resolve(__dirname, '..', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, 'latest.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`results written to ${relative(process.cwd(), file) || file}\n`);
  return rows.some((row) => row.errors > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
