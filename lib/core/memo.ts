/**
 * `f` memoized by its string argument, for verdicts on strings that repeat across objects (label keys, field
 * names): at most `max` entries are kept, and the memo is cleared when full, so a stream of distinct strings
 * cannot grow it without bound. `f` must be pure. @param max @default 10000
 */
export function memoByString<T>(f: (s: string) => T, max = 10_000): (s: string) => T {
  const memo = new Map<string, T>();
  return (s) => {
    if (memo.has(s)) return memo.get(s) as T;
    const v = f(s);
    if (memo.size >= max) memo.clear();
    memo.set(s, v);
    return v;
  };
}
