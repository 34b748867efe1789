import { sortedBy } from '../core/names';
import { concatLists } from '../validate/segments';
import { Entry } from '../validate/types';
import { KubeObject } from './kube-object';
import { collectPlaced, PlacedObject } from './layout';

/** One file of a synth's layout: an object to render, or a text that is already final. */
export type LayoutEntry = readonly [path: string, content: KubeObject | string];

/**
 * A synth's placed folders in path order, and what planSynth makes of them: the layout (each object's file, with the
 * texts beside them) and the gates' entries.
 *
 * Every file of a folder starts with the folder's prefix `<cluster>/<component>/`, and no prefix starts another
 * (cluster and component names hold no `/`). So the folders sorted by prefix, each with its files sorted, are every
 * file sorted by path, and two objects can only meet in one file inside one folder. Each folder's sorted files, its
 * layout entries and its gate entries are worked out once per placement and kept with it (a WeakMap on the frozen
 * list lib/synth/placement-reuse.ts gives): an incremental synth, which reuses the placements of its unchanged folders,
 * then sorts, pairs and names only the changed folders' files instead of all of them (116,300 at 100,000 devices:
 * a map, a sort and two lists of 116,300 new objects on every synth).
 *
 * Anything else (a folder met twice, a name with `/`, two objects in one file, a list that is not frozen) takes the
 * path every synth took before: collectPlaced over all the objects, which gives the same order and the same problems.
 */
export interface OrderedFolders {
  /** Every placed object, sorted by path (a new list each call; planSynth needs only the layout and the entries). */
  all(): PlacedObject[];
  /** The objects' layout entries with `texts` (path → text) among them, sorted by path; a text takes the place of an object at its path. */
  layout(texts: ReadonlyMap<string, string>): LayoutEntry[];
  /**
   * The gates' entries of every object, in path order, each file under `root` (`<root>/<path>`), by folder
   * (lib/validate/segments.ts): each folder's list frozen and kept with its placement, so an unchanged folder gives the
   * same list as last time (one list of all of them where the quick order does not apply).
   */
  segments(root: string): ReadonlyArray<ReadonlyArray<Entry>>;
}

/** One folder's files in path order, with its layout entries and its gate entries by root. */
interface FolderView {
  readonly prefix: string;
  readonly sorted: ReadonlyArray<PlacedObject>;
  readonly layout: ReadonlyArray<LayoutEntry>;
  /** The gate entries under the last root asked for (a synth asks for one). */
  entries?: { readonly root: string; readonly list: ReadonlyArray<Entry> };
}

/** By placement (its frozen list); null: a folder the quick order cannot take (see OrderedFolders). */
const views = new WeakMap<ReadonlyArray<PlacedObject>, FolderView | null>();

function viewOf(placed: ReadonlyArray<PlacedObject>): FolderView | null {
  const known = views.get(placed);
  if (known !== undefined) return known;
  const view = newView(placed);
  if (Object.isFrozen(placed)) views.set(placed, view);
  return view;
}

function newView(placed: ReadonlyArray<PlacedObject>): FolderView | null {
  const { cluster, component } = placed[0];
  if (cluster.includes('/') || component.includes('/')) return null;
  const prefix = `${cluster}/${component}/`;
  for (const p of placed) if (p.cluster !== cluster || p.component !== component || !p.path.startsWith(prefix) || !Object.isFrozen(p)) return null;
  const sorted = sortedBy(placed, (p) => p.path);
  for (let i = 1; i < sorted.length; i++) if (sorted[i].path === sorted[i - 1].path) return null;
  return { prefix, sorted, layout: sorted.map((p): LayoutEntry => Object.freeze([p.path, p.object] as const)) };
}

/**
 * Layout entries sorted by path, with `texts` merged in (a text replaces an object at the same path). The objects'
 * entries are taken in runs between the texts' places (found by binary search), not one by one: a few dozen texts
 * among 116,000 objects at 100,000 devices.
 */
function withTexts(objects: ReadonlyArray<LayoutEntry>, texts: ReadonlyMap<string, string>): LayoutEntry[] {
  const extra = sortedBy([...texts], ([path]) => path);
  const runs: Array<ReadonlyArray<LayoutEntry>> = [];
  let from = 0;
  for (const text of extra) {
    // The first object at or after `from` whose path is not before the text's.
    let lo = from;
    let hi = objects.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (objects[mid][0] < text[0]) lo = mid + 1;
      else hi = mid;
    }
    runs.push(objects.slice(from, lo), [text]);
    from = lo < objects.length && objects[lo][0] === text[0] ? lo + 1 : lo;
  }
  runs.push(objects.slice(from));
  return concatLists(runs);
}

/** The folders' objects in path order (see OrderedFolders); throws ValidationError (collectPlaced) for two objects in one file. */
export function orderFolders(folders: ReadonlyArray<ReadonlyArray<PlacedObject>>): OrderedFolders {
  const nonEmpty = folders.filter((f) => f.length > 0);
  const found = nonEmpty.map(viewOf);
  const quick = found.every((v): v is FolderView => v !== null) ? sortedBy(found, (v) => v.prefix) : undefined;
  if (quick === undefined || quick.some((v, i) => i > 0 && v.prefix === quick[i - 1].prefix)) {
    const all = collectPlaced(concatLists(nonEmpty));
    return {
      all: () => [...all],
      layout: (texts) => withTexts(all.map((p): LayoutEntry => [p.path, p.object]), texts),
      segments: (root) => [all.map((p) => ({ file: `${root}/${p.path}`, cluster: p.cluster, object: p.object }))],
    };
  }
  const segments = (root: string): ReadonlyArray<ReadonlyArray<Entry>> =>
    quick.map((v) => {
      if (v.entries?.root !== root) v.entries = { root, list: Object.freeze(v.sorted.map((p) => Object.freeze({ file: `${root}/${p.path}`, cluster: p.cluster, object: p.object }))) };
      return v.entries.list;
    });
  return {
    all: () => concatLists(quick.map((v) => v.sorted)),
    layout: (texts) => withTexts(concatLists(quick.map((v) => v.layout)), texts),
    segments,
  };
}
