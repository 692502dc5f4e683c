import { ConfigError } from '@gatehouse/config';

/** What a config reader reports wrong, as `VARIABLE: message` lines; [] when it reads the env fine. */
export function configProblems(read: () => unknown): string[] {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.variable}: ${p.message}`);
    throw error;
  }
  return [];
}
