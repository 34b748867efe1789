import { ObjectKeyMap } from './object-keys';
import { isKept, Segments } from './segments';
import { Entry, Finding } from './types';

/**
 * The key every object is known by in its cluster (cluster, kind, namespace or '', name), and the object defined twice
 * under one key: the wiring gate's first check (lib/validate/wiring.ts).
 *
 * In one process the keys of the last check that found no object twice are kept, each with the list (a synth's folder,
 * lib/validate/segments.ts) that holds it, when that list is kept (frozen, with its entries and objects: isKept). The
 * next check then takes out the keys of the kept lists that are gone and puts in those of the lists that are new, and
 * checks the lists that are not kept (the Argo CD bootstrap) against them: at 100,000 devices a re-synth after one device
 * changed puts in a folder's ~1,000 keys instead of 116,000. Any key met twice sends the check back to a pass over every
 * entry in order, whose findings name the later object and the file of the first, as they always did.
 */
let last: { readonly keys: ObjectKeyMap<ReadonlyArray<Entry>>; readonly lists: Set<ReadonlyArray<Entry>> } | undefined;

/** How many checks in this process took the kept keys to their lists, and how many read every entry (for tests). */
const stats = { quick: 0, full: 0 };

/** How many checks in this process went each way (duplicateObjects). */
export function objectKeyStats(): { readonly quick: number; readonly full: number } {
  return { ...stats };
}

/** Forgets the kept keys: the next check reads every entry (forgetCharts). */
export function forgetObjectKeys(): void {
  last = undefined;
}

/** Each object whose key an earlier object in the lists' order has, as a finding on the later one. */
export function duplicateObjects(segments: Segments): Finding[] {
  const state = last;
  last = undefined;
  if (state !== undefined && update(state, segments)) {
    stats.quick++;
    last = state;
    return [];
  }
  stats.full++;
  return everyEntry(segments);
}

/** Takes the kept keys to `segments`: whether no key is met twice (false: `state` is left half-updated, to be dropped). */
function update(state: NonNullable<typeof last>, segments: Segments): boolean {
  const now = new Set(segments);
  if (now.size !== segments.length) return false; // a list given twice: its keys are met twice
  // Mostly new lists (another stack, a reference synth): one pass over every entry costs less than the changes.
  let fresh = 0;
  let all = 0;
  for (const list of segments) {
    all += list.length;
    if (!state.lists.has(list)) fresh += list.length;
  }
  if (fresh * 2 > all) return false;
  for (const list of state.lists) {
    if (now.has(list)) continue;
    for (const e of list) {
      const [cluster, kind, namespace, name] = keyOf(e);
      if (state.keys.get(cluster, kind, namespace, name) === list) state.keys.delete(cluster, kind, namespace, name);
    }
    state.lists.delete(list);
  }
  const loose: Array<ReadonlyArray<Entry>> = [];
  for (const list of segments) {
    if (state.lists.has(list)) continue;
    if (!isKept(list)) {
      loose.push(list);
      continue;
    }
    for (const e of list) {
      const [cluster, kind, namespace, name] = keyOf(e);
      if (state.keys.setIfAbsent(cluster, kind, namespace, name, list) !== undefined) return false;
    }
    state.lists.add(list);
  }
  // After every kept list is in: the loose lists' keys must be new to them and to each other.
  const mine = new ObjectKeyMap<true>();
  for (const list of loose) {
    for (const e of list) {
      const [cluster, kind, namespace, name] = keyOf(e);
      if (state.keys.has(cluster, kind, namespace, name) || mine.setIfAbsent(cluster, kind, namespace, name, true) !== undefined) return false;
    }
  }
  return true;
}

/** The pass over every entry in order; keeps the keys of the kept lists when no key is met twice. */
function everyEntry(segments: Segments): Finding[] {
  const keys = new ObjectKeyMap<ReadonlyArray<Entry>>();
  const out: Finding[] = [];
  for (const list of segments) {
    for (const e of list) {
      // The parts of objectKey's `kind/namespace/name` (and the cluster), as text.
      const other = keys.setIfAbsent(`${e.cluster}`, `${e.object.kind}`, `${e.object.metadata.namespace ?? ''}`, `${e.object.metadata.name}`, list);
      if (other !== undefined) out.push({ file: e.file, pointer: '/metadata/name', message: `${e.object.kind} "${e.object.metadata.name}" is also defined in ${firstFile(other, e)}` });
    }
  }
  if (out.length > 0 || new Set(segments).size !== segments.length) return out;
  const lists = new Set<ReadonlyArray<Entry>>();
  for (const list of segments) {
    if (isKept(list)) lists.add(list);
    else for (const e of list) keys.delete(...keyOf(e));
  }
  last = { keys, lists };
  return out;
}

/** An entry's key parts, as text. */
function keyOf(e: Entry): readonly [string, string, string, string] {
  return [`${e.cluster}`, `${e.object.kind}`, `${e.object.metadata.namespace ?? ''}`, `${e.object.metadata.name}`];
}

/** The file of the first entry of `list` under the key of `e` (as ObjectKeyMap compares keys: by their `a/b/c/d` text). */
function firstFile(list: ReadonlyArray<Entry>, e: Entry): string {
  const text = keyOf(e).join('/');
  return (list.find((x) => keyOf(x).join('/') === text) as Entry).file;
}
