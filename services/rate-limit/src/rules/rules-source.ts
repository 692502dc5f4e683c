import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { loadRules, type LoadRulesOptions } from './load-rules';
import type { RuleSet } from './rule';

export interface RulesSourceOptions {
  /** RATELIMIT_CONFIG: a YAML file or a directory of YAML files. */
  path: string;
  /** Quiet time after the last change before reloading (editors write in several steps). */
  debounceMs: number;
  /** How the files are read (domain merging, default algorithm). */
  load?: LoadRulesOptions;
  /** A valid config replaced the rules in force. */
  onReloaded?: (rules: RuleSet) => void;
  /** A changed config was invalid: the previous rules stay in force. */
  onRejected?: (error: unknown) => void;
}

/**
 * The rules in force: loaded at start (an invalid config refuses to start), then reloaded when
 * the file or directory changes. A valid change swaps in atomically (one reference assignment, so
 * a decision sees either the old or the new rules, never a mix); an invalid one is reported and
 * ignored.
 */
export class RulesSource {
  private rules: RuleSet;
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private reloading: Promise<void> = Promise.resolve();

  private constructor(
    private readonly options: RulesSourceOptions,
    initial: RuleSet,
  ) {
    this.rules = initial;
  }

  static async open(options: RulesSourceOptions): Promise<RulesSource> {
    return new RulesSource(options, await loadRules(options.path, options.load));
  }

  current(): RuleSet {
    return this.rules;
  }

  /** Starts watching for changes. Watches the directory (a file's parent) so atomic renames are seen. */
  async watch(): Promise<void> {
    const isDirectory = (await stat(this.options.path)).isDirectory();
    const directory = isDirectory ? this.options.path : dirname(this.options.path);
    const file = isDirectory ? undefined : basename(this.options.path);
    this.watcher = watch(directory, (_event, name) => {
      // A directory reloads on any change: a Kubernetes ConfigMap swaps its `..data` symlink and
      // names no rules file; an unchanged content hash makes a needless reload a no-op.
      const changed = name?.toString();
      if (file !== undefined && changed !== undefined && changed !== file) return;
      this.schedule();
    });
    this.watcher.on('error', (error) => this.options.onRejected?.(error));
  }

  /** Reloads now (also what the watcher does after the debounce). Resolves when done. */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      try {
        const next = await loadRules(this.options.path, this.options.load);
        if (next.version === this.rules.version) return;
        this.rules = next;
        this.options.onReloaded?.(next);
      } catch (error) {
        this.options.onRejected?.(error);
      }
    });
    return this.reloading;
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), this.options.debounceMs);
    this.timer.unref();
  }
}
