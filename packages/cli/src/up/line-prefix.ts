import { ansi, paint, type AnsiCode } from './ansi';

const nameColors: readonly AnsiCode[] = [ansi.cyan, ansi.magenta, ansi.yellow, ansi.green, ansi.blue];

export interface LinePrefixOptions {
  /** Names are padded to this width so the bars line up. */
  width: number;
  color: boolean;
  /** Position of the service in the list: picks its colour. */
  index: number;
}

/** `auth        | `: the service name padded to one width, then a bar. */
export function linePrefix(name: string, options: LinePrefixOptions): string {
  const colour = nameColors[options.index % nameColors.length] ?? ansi.cyan;
  return `${paint(name.padEnd(options.width), options.color, colour)} ${paint('|', options.color, ansi.dim)} `;
}
