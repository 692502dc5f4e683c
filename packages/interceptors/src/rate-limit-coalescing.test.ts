import { describe, expect, it } from 'vitest';
import { Coalescing } from './rate-limit-coalescing';

describe('Coalescing', () => {
  it('queues calls behind the open CheckLimit of their key only', () => {
    const coalescing = new Coalescing<string>();
    expect(coalescing.join('a', ['first'])).toBe(false);
    coalescing.open('a');
    expect(coalescing.join('a', ['second', 'third'])).toBe(true);
    expect(coalescing.join('a', ['fourth'])).toBe(true);
    expect(coalescing.join('b', ['other'])).toBe(false);
    expect(coalescing.close('a')).toEqual(['second', 'third', 'fourth']);
  });

  it('takes nothing more once the answer came, and closes an unopened key empty', () => {
    const coalescing = new Coalescing<string>();
    coalescing.open('a');
    expect(coalescing.close('a')).toEqual([]);
    expect(coalescing.join('a', ['late'])).toBe(false);
    expect(coalescing.close('never-opened')).toEqual([]);
  });
});
