import { forgetStringMemos, memoByString } from '../../lib/core/memo';

describe('memoByString', () => {
  test('each string is computed once while the memo holds it', () => {
    const seen: string[] = [];
    const f = memoByString((s: string) => (seen.push(s), s.length));
    expect([f('ab'), f('ab'), f('abc'), f('ab')]).toEqual([2, 2, 3, 2]);
    expect(seen).toEqual(['ab', 'abc']);
  });

  test('by count: cleared when the next string would pass max entries', () => {
    const seen: string[] = [];
    const f = memoByString((s: string) => (seen.push(s), s), 2);
    ['a', 'b', 'a', 'c', 'a'].forEach(f);
    expect(seen).toEqual(['a', 'b', 'c', 'a']);
  });

  test('by weight: a string that would pass the bound clears the memo first', () => {
    const seen: string[] = [];
    const f = memoByString((s: string) => (seen.push(s), s), 5, (s) => s.length);
    ['aa', 'bbb', 'aa', 'c', 'aa', 'bbb'].forEach(f);
    // 'aa' + 'bbb' = 5 fits; 'c' would make 6: cleared, so 'aa' and 'bbb' are computed again.
    expect(seen).toEqual(['aa', 'bbb', 'c', 'aa', 'bbb']);
  });

  test('forgetStringMemos empties every memo, and undefined results are remembered too', () => {
    const seen: string[] = [];
    const f = memoByString((s: string) => (seen.push(s), s === 'none' ? undefined : s.length));
    expect([f('a'), f('none'), f('none'), f('a')]).toEqual([1, undefined, undefined, 1]);
    expect(seen).toEqual(['a', 'none']);
    forgetStringMemos();
    f('a');
    expect(seen).toEqual(['a', 'none', 'a']);
  });
});
