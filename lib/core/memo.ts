/** How to empty each memo memoByString made (forgetStringMemos). */
const memos: Array<() => void> = [];

/**
 * `f` memoized by its string argument, for verdicts on strings that repeat across objects (label keys, field
 * names) or texts that come again (a rebuilt ConfigMap's data): the memo holds at most `max` in weight (each
 * string weighs `weigh(s)`, by default 1, so `max` entries), and is cleared when the next string would pass it,
 * so a stream of distinct strings cannot grow it without bound. `f` must be pure.
 * @param max @default 10000
 * @param weigh @default () => 1
 */
export function memoByString<T>(f: (s: string) => T, max = 10_000, weigh: (s: string) => number = () => 1): (s: string) => T {
  const memo = new Map<string, T>();
  let held = 0;
  memos.push(() => {
    memo.clear();
    held = 0;
  });
  return (s) => {
    // One lookup for a hit (a value memoized as undefined takes two).
    const hit = memo.get(s);
    if (hit !== undefined || memo.has(s)) return hit as T;
    const v = f(s);
    const w = weigh(s);
    if (held + w > max) {
      memo.clear();
      held = 0;
    }
    memo.set(s, v);
    held += w;
    return v;
  };
}

/**
 * Empties every memoByString memo: the next calls compute again (lib/synth/chart-reuse.ts forgetCharts, so a synth
 * after it reuses nothing, not even per-name hashes).
 */
export function forgetStringMemos(): void {
  for (const clear of memos) clear();
}
