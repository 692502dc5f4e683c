import { describe, expect, it } from 'vitest';
import { requestIdGenerator } from './request-ids';

const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdGenerator', () => {
  it('makes UUID v4 shaped ids, each different, counting in the last group', () => {
    const next = requestIdGenerator();
    const ids = Array.from({ length: 1000 }, next);
    for (const id of ids) expect(id).toMatch(uuidV4);
    expect(new Set(ids).size).toBe(1000);
    expect(ids[0]?.slice(0, 24)).toBe(ids[999]?.slice(0, 24));
    expect(ids[0]?.slice(24)).toBe('000000000001');
    expect(ids[999]?.slice(24)).toBe('0000000003e8');
  });

  it('draws a new random prefix per generator, so two replicas do not collide', () => {
    const prefixes = new Set(Array.from({ length: 50 }, () => requestIdGenerator()().slice(0, 24)));
    expect(prefixes.size).toBe(50);
  });
});
