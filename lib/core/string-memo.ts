/** Every memo memoByString made, so forgetStringMemos can empty them all. */
const memos: Array<{ clear(): void }> = [];

/**
 * A pure function of one string, remembered per string for the life of the process: for per-device hashes (the
 * sampling hashmod, the shard hash) that every synth computes again for the same device names. At most `max`
 * strings are remembered; past that the memory is emptied and filled again (a fleet larger than `max` then
 * computes as without it). Only for functions whose result depends on nothing but the string.
 */
export function memoByString<T>(f: (s: string) => T, max = 400_000): (s: string) => T {
  let memo = new Map<string, T>();
  memos.push({ clear: () => (memo = new Map()) });
  return (s) => {
    let v = memo.get(s);
    if (v === undefined && !memo.has(s)) {
      v = f(s);
      if (memo.size >= max) memo = new Map();
      memo.set(s, v);
    }
    return v as T;
  };
}

/** Empties every memoByString memo (the next calls compute again). */
export function forgetStringMemos(): void {
  for (const m of memos) m.clear();
}
