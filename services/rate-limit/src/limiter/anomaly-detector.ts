import type { Clock } from '@gatehouse/runtime';

export interface AnomalyDetectorOptions {
  clock: Clock;
  /** A rate this many times the baseline counts as a full spike. Default 3. */
  spikeRatio: number;
  /** Score from which a key is anomalous. Default 0.8. */
  threshold: number;
  /** One-second samples needed before a key is scored. Default 10. */
  minSamples: number;
  /** Keys tracked at most; the least recently seen is dropped. */
  maxKeys: number;
  /** EWMA smoothing factor per sample. Default 0.3. */
  alpha?: number;
}

interface KeyHistory {
  second: number;
  count: number;
  mean: number;
  variance: number;
  samples: number;
}

const sampleMs = 1000;

/**
 * Per key, an exponentially weighted moving average (and variance) of hits per second. The current
 * second's rate is scored against it: half from the spike ratio (rate / baseline, full at
 * `spikeRatio`), half from the z-score (full at 3 standard deviations). 0 until `minSamples`.
 */
export class AnomalyDetector {
  private readonly keys = new Map<string, KeyHistory>();
  private readonly alpha: number;

  constructor(private readonly options: AnomalyDetectorOptions) {
    this.alpha = options.alpha ?? 0.3;
  }

  get threshold(): number {
    return this.options.threshold;
  }

  /** Records `hits` for `key` now and returns its score (0..1). */
  observe(key: string, hits: number): number {
    if (this.options.maxKeys === 0) return 0;
    const second = Math.floor(this.options.clock.now() / sampleMs);
    let history = this.keys.get(key);
    if (history === undefined) {
      history = { second, count: 0, mean: 0, variance: 0, samples: 0 };
      if (this.keys.size >= this.options.maxKeys) {
        const oldest = this.keys.keys().next().value;
        if (oldest !== undefined) this.keys.delete(oldest);
      }
      this.keys.set(key, history);
    } else if (second > history.second) {
      // Re-inserted once per second seen, not per call: the map stays ordered by the last second
      // of use, which is all eviction needs, at two map operations fewer on the hot path.
      this.keys.delete(key);
      this.keys.set(key, history);
      this.roll(history, second);
    }
    history.count += hits;
    return this.score(history);
  }

  private roll(history: KeyHistory, second: number): void {
    if (second <= history.second) return;
    // Close the finished second, then any idle seconds in between (bounded: idle history decays).
    const idle = Math.min(second - history.second - 1, 60);
    this.sample(history, history.count);
    for (let i = 0; i < idle; i += 1) this.sample(history, 0);
    history.second = second;
    history.count = 0;
  }

  private sample(history: KeyHistory, value: number): void {
    if (history.samples === 0) {
      history.mean = value;
    } else {
      const diff = value - history.mean;
      history.mean += this.alpha * diff;
      history.variance = (1 - this.alpha) * (history.variance + this.alpha * diff * diff);
    }
    history.samples += 1;
  }

  private score(history: KeyHistory): number {
    if (history.samples < this.options.minSamples) return 0;
    const baseline = Math.max(history.mean, 1);
    const spike = Math.min(1, Math.max(0, history.count / baseline - 1) / (this.options.spikeRatio - 1));
    const deviation = Math.sqrt(history.variance);
    const z = (history.count - history.mean) / Math.max(deviation, 1);
    const zPart = Math.min(1, Math.max(0, z) / 3);
    return Math.round(((spike + zPart) / 2) * 1000) / 1000;
  }
}
