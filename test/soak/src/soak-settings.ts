/** How a soak run is shaped, read once from SOAK_* variables; an invalid one names itself and stops the run. */
function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

export const settings = {
  durationMs: envNumber('SOAK_DURATION_MS', 60_000, 5_000, 24 * 3600_000),
  workers: envNumber('SOAK_WORKERS', 8, 1, 64),
  users: envNumber('SOAK_USERS', 64, 1, 500),
  sampleMs: envNumber('SOAK_SAMPLE_MS', 5_000, 500, 60_000),
  /** Pause of each worker between two calls: keeps the loop steady instead of spinning on refusals. */
  thinkMs: envNumber('SOAK_THINK_MS', 10, 0, 10_000),
  /** Largest allowed growth of a process's RSS peak from the first half of the run to the second, as a fraction. */
  rssGrowthLimit: envNumber('SOAK_RSS_GROWTH_LIMIT', 0.2, 0.01, 10),
};
/** No worker makes more calls than this, however fast the calls are. */
export const maxCallsPerWorker = Math.ceil(settings.durationMs / 1000) * 2000;
