// The soak run (`npm run soak`): the compiled cluster as processes on real PostgreSQL and Redis, a
// steady closed-loop mixed load through the notes example for SOAK_DURATION_MS, memory and
// event-loop lag of every process sampled from /metrics, and at the end the checks of
// docs/reliability.md ("Soak"). Exits 1 when a check fails. Not part of `npm test`.
import { credentials, Metadata, status } from '@grpc/grpc-js';
import { budgetV1 } from '@gatehouse/contracts';
import { readErrorDetails } from '@gatehouse/runtime';
import { notesCaller, type NotesCaller } from '../../e2e/walkthrough/notes-caller';
import { startWalkthroughCluster } from '../../e2e/walkthrough/walkthrough-cluster';
import { unaryCall } from '../../support/grpc-call';
import { healthStatus, repoPath } from '../../support/spawned-service';
import { sample, type Sample } from './process-samples';
import { nextCall, setUp, type Method } from './soak-callers';
import { maxCallsPerWorker, settings } from './soak-settings';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<number> {
  console.log(
    `soak: ${settings.durationMs} ms, ${settings.workers} workers, ${settings.users} users, ` +
      `think ${settings.thinkMs} ms, sample every ${settings.sampleMs} ms, RSS peak growth limit ` +
      `${(settings.rssGrowthLimit * 100).toFixed(0)}% (first half to second)`,
  );
  // The shipped rules admit a user 30 calls a minute: the soak's users would be refused almost
  // always. Its own rules keep the same dimensions with limits above the load, so calls go the
  // whole way (auth, rate limit, budget, handler). The example keeps few notes per author, so its
  // data stops growing early and growth after that would be a leak.
  const cluster = await startWalkthroughCluster('real', {
    rateLimitRules: repoPath('test/soak/soak-rules.yaml'),
    notesEnv: { NOTES_MAX_PER_AUTHOR: '20' },
  });
  const processes = [cluster.auth, cluster.rateLimit, cluster.costBudget, cluster.health, cluster.notes];
  let notes: NotesCaller | undefined;
  try {
    const { admin, callers } = await setUp(cluster);
    notes = notesCaller(cluster.notes.address);
    const adminMetadata = () => {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${admin}`);
      return metadata;
    };

    // Load and sampling.
    const samples = new Map<string, Sample[]>(processes.map((service) => [service.name, []]));
    const outcomes = new Map<string, number>();
    const unexpected: string[] = [];
    const latencies: number[] = [];
    const byMethod = new Map<Method, number>();
    const startedAt = Date.now();
    const endsAt = startedAt + settings.durationMs;
    const takeSamples = async () => {
      for (const service of processes) {
        const taken = await sample(service, startedAt);
        if (taken !== undefined) samples.get(service.name)!.push(taken);
      }
    };
    await takeSamples();
    let sampling = true;
    const sampler = (async () => {
      while (sampling && Date.now() < endsAt) {
        await sleep(Math.min(settings.sampleMs, Math.max(0, endsAt - Date.now())));
        if (sampling) await takeSamples();
      }
    })();
    const worker = async () => {
      for (let calls = 0; calls < maxCallsPerWorker && Date.now() < endsAt; calls += 1) {
        const { method, request, credential } = nextCall(callers);
        const began = performance.now();
        const outcome = await notes!.call(method, request, credential);
        latencies.push(performance.now() - began);
        byMethod.set(method, (byMethod.get(method) ?? 0) + 1);
        let label = status[outcome.code] ?? String(outcome.code);
        if (outcome.code === status.RESOURCE_EXHAUSTED) {
          label += ` (${readErrorDetails(outcome.metadata).reason || 'no reason'})`;
        } else if (outcome.code !== status.OK && unexpected.length < 20) {
          unexpected.push(`${method}: ${label} ${outcome.details}`);
        }
        outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
        if (settings.thinkMs > 0) await sleep(settings.thinkMs);
      }
    };
    await Promise.all(Array.from({ length: settings.workers }, worker));
    const elapsedMs = Date.now() - startedAt;
    sampling = false;
    await sampler;
    await takeSamples();

    // Checks after the load: health, ledger, reservations.
    const failures: string[] = [];
    const total = latencies.length;
    const errors = [...outcomes].filter(
      ([label]) => label !== 'OK' && !label.startsWith('RESOURCE_EXHAUSTED'),
    );
    const errorCount = errors.reduce((sum, [, count]) => sum + count, 0);
    if (errorCount > 0) failures.push(`${errorCount} unexpected errors: ${unexpected.join(' | ')}`);
    const statuses = await Promise.all(
      processes.map(async (service) => [service.name, await healthStatus(service.address)]),
    );
    for (const [name, health] of statuses) if (health !== 'SERVING') failures.push(`${name} is ${health}`);
    const budgets = new budgetV1.CostBudgetServiceClient(
      cluster.costBudget.address,
      credentials.createInsecure(),
    );
    const ledger = await unaryCall<budgetV1.VerifyLedgerRequest, budgetV1.VerifyLedgerResponse>(
      budgets,
      budgets.verifyLedger,
      { scopes: [], repair: false },
      adminMetadata(),
    );
    if (!ledger.consistent) failures.push(`VerifyLedger: ${ledger.drifts.length} scopes drifted`);
    let spent = 0n;
    let reserved = 0n;
    for (const caller of callers) {
      const budget = await unaryCall<budgetV1.GetBudgetRequest, budgetV1.GetBudgetResponse>(
        budgets,
        budgets.getBudget,
        { scope: { kind: budgetV1.ScopeKind.SCOPE_KIND_USER, id: caller.userId } },
        adminMetadata(),
      );
      spent += budget.spentMicros;
      reserved += budget.reservedMicros;
    }
    budgets.close();
    if (reserved !== 0n)
      failures.push(`${reserved} micros still reserved after the load (leaked reservations)`);

    // Report.
    latencies.sort((a, b) => a - b);
    console.log('');
    console.log(
      `calls ${total} in ${(elapsedMs / 1000).toFixed(1)} s (${((total * 1000) / elapsedMs).toFixed(0)}/s): ` +
        [...byMethod].map(([method, count]) => `${method} ${count}`).join(', '),
    );
    console.log(
      `latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, ` +
        `max ${percentile(latencies, 100).toFixed(1)} ms`,
    );
    console.log('outcomes:');
    for (const [label, count] of [...outcomes].sort((a, b) => b[1] - a[1])) {
      console.log(`  ${label.padEnd(44)} ${String(count).padStart(8)}`);
    }
    console.log(
      `VerifyLedger: consistent ${ledger.consistent}, ${ledger.scopesChecked} scopes; soak users spent ` +
        `${spent} micros, ${reserved} reserved`,
    );
    console.log(`health: ${statuses.map(([name, health]) => `${name} ${health}`).join(', ')}`);
    console.log('');
    console.log(
      'process       samples  RSS start  RSS peak 1st  RSS peak 2nd  growth  heap start  heap end  heap peak growth  lag p99 max',
    );
    for (const service of processes) {
      const taken = samples.get(service.name)!;
      if (taken.filter((one) => one.atMs > elapsedMs / 2).length < 2 || taken.length < 4) {
        failures.push(`${service.name}: only ${taken.length} memory samples`);
        continue;
      }
      const first = taken[0]!;
      const last = taken[taken.length - 1]!;
      // RSS and heap rise and fall with each collection, so one sample against another measures the
      // sawtooth; a leak shows as the second half's peak above the first half's.
      const firstHalf = taken.filter((one) => one.atMs <= elapsedMs / 2);
      const secondHalf = taken.filter((one) => one.atMs > elapsedMs / 2);
      const peak = (of: Sample[], field: 'rss' | 'heapUsed') => Math.max(...of.map((one) => one[field]));
      const growth = peak(secondHalf, 'rss') / peak(firstHalf, 'rss') - 1;
      const heapGrowth = peak(secondHalf, 'heapUsed') / peak(firstHalf, 'heapUsed') - 1;
      const lagMax = Math.max(...taken.map((one) => one.lagP99Ms));
      console.log(
        `${service.name.padEnd(12)} ${String(taken.length).padStart(8)} ${mib(first.rss).padStart(8)}M ` +
          `${mib(peak(firstHalf, 'rss')).padStart(8)}M ${mib(peak(secondHalf, 'rss')).padStart(8)}M ` +
          `${(growth * 100).toFixed(1).padStart(8)}% ${mib(first.heapUsed).padStart(10)}M ` +
          `${mib(last.heapUsed).padStart(8)}M ${(heapGrowth * 100).toFixed(1).padStart(9)}% ` +
          `${lagMax.toFixed(1).padStart(10)}ms`,
      );
      if (!(growth < settings.rssGrowthLimit)) {
        failures.push(
          `${service.name}: RSS peak grew ${(growth * 100).toFixed(1)}% from the first half to the second ` +
            `(limit ${(settings.rssGrowthLimit * 100).toFixed(0)}%)`,
        );
      }
    }
    console.log('');
    console.log('RSS (MiB) at each sample:');
    for (const service of processes) {
      const series = samples.get(service.name)!.map((one) => mib(one.rss).replace(/\.\d$/, ''));
      console.log(`  ${service.name.padEnd(12)} ${series.join(' ')}`);
    }
    console.log('');
    if (failures.length > 0) {
      console.log(`SOAK FAILED:\n  ${failures.join('\n  ')}`);
      return 1;
    }
    console.log('soak passed');
    return 0;
  } finally {
    notes?.close();
    await cluster.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('soak: could not run:', error);
    process.exitCode = 1;
  },
);
