import { randomBytes } from 'node:crypto';

/**
 * Request ids shaped like a UUID v4 (36 characters of hex and dashes): 76 random bits drawn once
 * per process, then a counter in the last group. Unique across replicas and cheaper than a fresh
 * random UUID per call; a request id correlates logs and is never a secret.
 */
export function requestIdGenerator(): () => string {
  const random = randomBytes(10).toString('hex');
  // Version nibble 4 and variant bits 10xx, as in a random UUID.
  const variant = ((parseInt(random[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const prefix = `${random.slice(0, 8)}-${random.slice(8, 12)}-4${random.slice(12, 15)}-${variant}${random.slice(17, 20)}-`;
  let counter = 0;
  return () => {
    counter = (counter + 1) % 0x1000000000000;
    return prefix + counter.toString(16).padStart(12, '0');
  };
}
