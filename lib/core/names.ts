import { closest, distance } from 'fastest-levenshtein';

/** An RFC 1123 DNS label: what Kubernetes requires of namespace, Service and most object names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The longest DNS label. */
export const DNS_LABEL_MAX = 63;

/** Kubernetes' own namespaces, on every cluster: edgewatt never creates, labels or prunes them. */
export const KUBERNETES_NAMESPACES: ReadonlyArray<string> = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/**
 * Suggests the closest of `candidates` to a misspelled `value`, as ` (did you mean "x"?)`, or a list of the
 * valid values when none is close. Returns an empty string when there are no candidates.
 */
export function didYouMean(value: string, candidates: Iterable<string>): string {
  const list = [...new Set(candidates)].sort();
  if (list.length === 0) return '';
  const best = closest(value, list);
  const allowed = Math.max(1, Math.floor(Math.max(value.length, best.length) / 3));
  if (distance(value, best) <= allowed) return ` (did you mean "${best}"?)`;
  const shown = list.slice(0, 8).map((c) => `"${c}"`).join(', ');
  return ` (expected one of: ${shown}${list.length > 8 ? `, … ${list.length - 8} more` : ''})`;
}

/**
 * Adds `value` to `set`; whether it was not there before. One hash lookup (added, then told apart by the size), where
 * `has` then `add` take two: for sets filled with every device (100,000 at the bench's largest tier).
 */
export function addNew<T>(set: Set<T>, value: T): boolean {
  const size = set.size;
  set.add(value);
  return set.size !== size;
}

/** Finds values that occur more than once, with the index of every occurrence after the first. */
export function duplicates<T>(items: ReadonlyArray<T>, key: (item: T) => string): Array<{ index: number; key: string }> {
  const seen = new Set<string>();
  const out: Array<{ index: number; key: string }> = [];
  items.forEach((item, index) => {
    const k = key(item);
    if (!addNew(seen, k)) out.push({ index, key: k });
  });
  return out;
}

/** Compares strings by code unit, the same on every machine and locale. */
export function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts a copy of `items` by a string key, deterministically. */
export function sortedBy<T>(items: ReadonlyArray<T>, key: (item: T) => string): T[] {
  return [...items].sort((a, b) => byString(key(a), key(b)));
}

/** `n` and the noun, singular for one: "1 cluster", "3 clusters". `plural` @default - the noun and an s */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
