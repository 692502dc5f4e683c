import { GatehouseError } from '@gatehouse/runtime';

/** page_size: default 50, at most 500; INVALID_ARGUMENT naming the field when negative or larger. */
export function pageSizeOf(value: number, field = 'page_size'): number {
  if (value === 0) return 50;
  if (!Number.isInteger(value) || value < 0 || value > 500) {
    throw GatehouseError.invalidArgument(field, `must be from 1 to 500 (0 means 50), got ${value}`);
  }
  return value;
}

/** Page tokens are opaque base64url of the last position; a tampered one is INVALID_ARGUMENT. */
export function encodePageToken(position: string): string {
  return Buffer.from(`p:${position}`, 'utf8').toString('base64url');
}

export function decodePageToken(token: string, field = 'page_token'): string | undefined {
  if (token === '') return undefined;
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^[A-Za-z0-9_-]+$/.test(token) || !decoded.startsWith('p:') || decoded.length < 3) {
    throw GatehouseError.invalidArgument(field, 'is not a page token returned by this service');
  }
  return decoded.slice(2);
}
