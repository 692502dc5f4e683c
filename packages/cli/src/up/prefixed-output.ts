import type { Writable } from 'node:stream';
import { formatLogLine } from './format-log-line';
import { linePrefix } from './line-prefix';
import type { LineWriter } from './managed-child';

export interface PrefixedOutputOptions {
  stdout: Writable;
  stderr: Writable;
  /** Every name that will write, so the prefixes share one width. */
  names: readonly string[];
  color: boolean;
}

/**
 * Interleaves the output of several services readably: each line formatted (pino JSON made
 * human) and prefixed with its service's name; what a child wrote to stderr goes to stderr.
 */
export class PrefixedOutput {
  private readonly width: number;

  constructor(private readonly options: PrefixedOutputOptions) {
    this.width = Math.max(0, ...options.names.map((name) => name.length));
  }

  /** The writer for one service's lines; `index` picks its colour. */
  writerFor(name: string, index: number): LineWriter {
    const { color } = this.options;
    const prefix = linePrefix(name, { width: this.width, color, index });
    return (stream, line) => {
      const shown = formatLogLine(line, { color });
      const target = stream === 'stderr' ? this.options.stderr : this.options.stdout;
      target.write(shown.map((text) => `${prefix}${text}\n`).join(''));
      return color ? formatLogLine(line, { color: false }) : shown;
    };
  }
}
