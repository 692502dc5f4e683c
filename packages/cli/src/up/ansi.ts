/** ANSI SGR codes used by `gatehouse up`. */
export const ansi = {
  bold: '1',
  dim: '2',
  red: '31',
  green: '32',
  yellow: '33',
  blue: '34',
  magenta: '35',
  cyan: '36',
  gray: '90',
  brightRed: '91',
} as const;

export type AnsiCode = (typeof ansi)[keyof typeof ansi];

/** Wraps `text` in an ANSI style when `enabled`; returns it unchanged otherwise. */
export function paint(text: string, enabled: boolean, ...codes: readonly AnsiCode[]): string {
  if (!enabled || codes.length === 0 || text === '') return text;
  return `\u001b[${codes.join(';')}m${text}\u001b[0m`;
}
