import { forgetStringMemos, memoByString } from '../../lib/core/string-memo';

describe('memoByString', () => {
  test('computes once per string, empties itself past its size, and forgetStringMemos empties it', () => {
    const calls: string[] = [];
    const f = memoByString((s: string) => {
      calls.push(s);
      return s === 'none' ? undefined : s.length;
    }, 3);
    expect([f('a'), f('bb'), f('a'), f('none'), f('none')]).toEqual([1, 2, 1, undefined, undefined]);
    expect(calls).toEqual(['a', 'bb', 'none']);
    f('cccc'); // the fourth string: the memory was full, so it starts again with this one
    f('a');
    expect(calls).toEqual(['a', 'bb', 'none', 'cccc', 'a']);
    forgetStringMemos();
    f('cccc');
    expect(calls).toEqual(['a', 'bb', 'none', 'cccc', 'a', 'cccc']);
  });
});
