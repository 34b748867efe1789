import { Entry } from './types';

/**
 * The gate's entries as consecutive lists whose concatenation is the entries, in order: a synth's folders (lib/synth/
 * folder-order.ts), each a frozen list that is the same list as in the last synth when the folder holds the same
 * objects under the same files, then the rest (the Argo CD bootstrap). A tree read from files is one list.
 */
export type Segments = ReadonlyArray<ReadonlyArray<Entry>>;

/** Whether `segments` concatenate to `entries` (by length and at every list's ends: a cheap check, not a proof). */
export function segmentsOf(entries: ReadonlyArray<Entry>, segments: Segments | undefined): Segments {
  if (segments === undefined) return [entries];
  let at = 0;
  for (const s of segments) {
    if (s.length === 0) continue;
    if (s[0] !== entries[at] || s[s.length - 1] !== entries[at + s.length - 1]) return [entries];
    at += s.length;
  }
  return at === entries.length ? segments : [entries];
}

/**
 * `read` of one list, computed once per frozen list of frozen entries whose objects are frozen (a synth's unchanged
 * folder, whose objects are deep-frozen: lib/core/freeze.ts) and kept as long as the list lives; any other list is
 * read every time. `read` must depend on nothing but the list, and its result must not be changed by the caller.
 */
export function perSegment<T>(read: (list: ReadonlyArray<Entry>) => T): (list: ReadonlyArray<Entry>) => T {
  const memo = new WeakMap<ReadonlyArray<Entry>, T>();
  return (list) => {
    const known = memo.get(list);
    if (known !== undefined) return known;
    const value = read(list);
    if (isKept(list)) memo.set(list, value);
    return value;
  };
}

/** The lists found kept (isKept): frozen, they stay so. */
const kept = new WeakSet<ReadonlyArray<Entry>>();

/**
 * Whether what is read of `list` holds as long as the list lives: it is frozen, and so are its entries and their
 * objects (a synth's objects are deep-frozen: lib/core/freeze.ts). Checked once per list.
 */
export function isKept(list: ReadonlyArray<Entry>): boolean {
  if (kept.has(list)) return true;
  if (!Object.isFrozen(list) || !list.every((e) => Object.isFrozen(e) && Object.isFrozen(e.object))) return false;
  kept.add(list);
  return true;
}

/** Each kind's entries in a list, by their indexes in order, keyed by the kind as the object gives it (kept with a synth's unchanged folder). */
export const kindIndex = perSegment((list): ReadonlyMap<unknown, ReadonlyArray<number>> => {
  const out = new Map<unknown, number[]>();
  for (let i = 0; i < list.length; i++) {
    const kind: unknown = list[i].object.kind;
    const at = out.get(kind);
    if (at) at.push(i);
    else out.set(kind, [i]);
  }
  return out;
});

/**
 * The lists' items in order, as one new list: by Array.prototype.concat, in chunks of lists (a call's arguments are
 * bounded), which copies 115,000 items of 2,600 lists in ~4.5 ms against ~17 ms pushed one by one.
 */
export function concatLists<T>(lists: ReadonlyArray<ReadonlyArray<T>>): T[] {
  let out: T[] = [];
  for (let i = 0; i < lists.length; i += CONCAT_CHUNK) out = out.concat(...(lists.slice(i, i + CONCAT_CHUNK) as T[][]));
  return out;
}

/** How many lists concatLists joins in one call. */
const CONCAT_CHUNK = 8192;
