import { describe, expect, it } from 'vitest';
import { compileWildcard, isWildcard } from './wildcard-pattern';

const matching = (pattern: string, values: string[]) => {
  const compiled = compileWildcard(pattern);
  return values.filter((value) => compiled.matches(value));
};

describe('compileWildcard: each * matches any run, an empty one included', () => {
  it('trailing, leading, middle, several, and alone', () => {
    expect(matching('foo*', ['foo', 'foo1', 'foobar', 'fo', 'xfoo'])).toEqual(['foo', 'foo1', 'foobar']);
    expect(matching('*.pdf', ['a.pdf', '.pdf', 'a.pdfx'])).toEqual(['a.pdf', '.pdf']);
    expect(matching('bar*b', ['barb', 'barab', 'bar123b', 'bara', 'xbarb', 'bab'])).toEqual([
      'barb',
      'barab',
      'bar123b',
    ]);
    expect(
      matching('foo*bar*baz', ['foobarbaz', 'foo1bar2baz', 'foo123baz', 'bar456baz', 'foobazbar']),
    ).toEqual(['foobarbaz', 'foo1bar2baz']);
    expect(matching('*', ['', 'anything'])).toEqual(['', 'anything']);
    expect(matching('a**b', ['ab', 'axxb', 'a'])).toEqual(['ab', 'axxb']);
  });

  it('never lets a middle part overlap the tail', () => {
    // "aba" has room for head "a" and tail "a", but not for "b" between them in "aa".
    expect(matching('a*b*a', ['aba', 'abba', 'aa', 'ab'])).toEqual(['aba', 'abba']);
    expect(matching('ab*ab', ['abab', 'ab', 'abxab'])).toEqual(['abab', 'abxab']);
  });

  it('isWildcard: a * anywhere', () => {
    expect([isWildcard('foo*'), isWildcard('/api/*/x'), isWildcard('plain')]).toEqual([true, true, false]);
  });
});
