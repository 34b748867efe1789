import fc from 'fast-check';
import { deepFreeze } from '../../lib/core/freeze';
import { Entry } from '../../lib/internal';
import { duplicateObjects, forgetObjectKeys, objectKeyStats } from '../../lib/validate/duplicate-objects';
import { Finding } from '../../lib/validate/types';

/** The check as it always read: every entry in order, a map by the key's `cluster/kind/namespace/name` text. */
function reference(entries: ReadonlyArray<Entry>): Finding[] {
  const seen = new Map<string, string>();
  const out: Finding[] = [];
  for (const e of entries) {
    const key = `${e.cluster}/${e.object.kind}/${e.object.metadata.namespace ?? ''}/${e.object.metadata.name}`;
    const other = seen.get(key);
    if (other !== undefined) out.push({ file: e.file, pointer: '/metadata/name', message: `${e.object.kind} "${e.object.metadata.name}" is also defined in ${other}` });
    else seen.set(key, e.file);
  }
  return out;
}

let files = 0;
/** An entry of a few clusters, kinds, namespaces and names (slashes among them, so two keys can share their text). */
const entry: fc.Arbitrary<Raw> = fc.record({
  cluster: fc.constantFrom('hub', 'site', 'a/b'),
  kind: fc.constantFrom('ConfigMap', 'Service', 'b/ConfigMap'),
  namespace: fc.option(fc.constantFrom('x', 'y', 'c/x'), { nil: undefined }),
  name: fc.constantFrom('n1', 'n2', 'n3', 'x/n1', 'n4', 'n5'),
});
interface Raw {
  readonly cluster: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}
const toEntry = (r: Raw): Entry => ({ file: `dist/f${files++}.yaml`, cluster: r.cluster, object: { apiVersion: 'v1', kind: r.kind, metadata: { name: r.name, ...(r.namespace === undefined ? {} : { namespace: r.namespace }) } } as never });
/** A list as a synth gives it (frozen: list, entries, objects), or a loose one. */
const list = (raws: Raw[], kept: boolean): ReadonlyArray<Entry> => (kept ? Object.freeze(raws.map((r) => Object.freeze({ ...toEntry(r), object: deepFreeze(toEntry(r).object) }))) : raws.map(toEntry));

describe('objects defined twice: the kept keys of the last check (lib/validate/duplicate-objects.ts) give the findings of a pass over every entry', () => {
  beforeEach(() => forgetObjectKeys());

  test('any sequence of checks over a pool of kept and loose lists', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(entry, { minLength: 0, maxLength: 6 }), fc.boolean()), { minLength: 2, maxLength: 10 }),
        fc.array(fc.array(fc.nat(), { maxLength: 8 }), { minLength: 1, maxLength: 8 }),
        (pool, checks) => {
          forgetObjectKeys();
          const lists = pool.map(([raws, kept]) => list(raws, kept));
          for (const picks of checks) {
            const segments = picks.map((i) => lists[i % lists.length]);
            expect(duplicateObjects(segments)).toEqual(reference(segments.flat()));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  test('a folder changed to hold an object another folder has is caught after a clean check, and the state recovers', () => {
    // Many folders of distinct objects, so a change of one goes the quick way.
    const folders = Array.from({ length: 20 }, (_, f) => list(Array.from({ length: 5 }, (__, i) => ({ cluster: 'hub', kind: 'ConfigMap', namespace: 'x', name: `f${f}-n${i}` })), true));
    expect(duplicateObjects(folders)).toEqual([]);
    const changed = list([{ cluster: 'hub', kind: 'ConfigMap', namespace: 'x', name: 'f3-n2' }], true);
    const next = [...folders.slice(0, 10), changed, ...folders.slice(11)];
    expect(duplicateObjects(next)).toEqual(reference(next.flat()));
    expect(duplicateObjects(next).length).toBe(1);
    expect(duplicateObjects(folders)).toEqual([]);
    // An object of a loose list (the Argo CD bootstrap), and a loose list changed in place between two checks.
    const loose = list([{ cluster: 'hub', kind: 'ConfigMap', namespace: 'x', name: 'new' }], false);
    expect(duplicateObjects([...folders, loose])).toEqual([]);
    (loose[0].object.metadata as { name: string }).name = 'f7-n1';
    expect(duplicateObjects([...folders, loose]).map((f) => f.message)).toEqual([`ConfigMap "f7-n1" is also defined in ${folders[7][1].file}`]);
    // A kept list given twice holds every one of its keys twice.
    expect(duplicateObjects([...folders, folders[4]])).toEqual(reference([...folders, folders[4]].flat()));
    expect(duplicateObjects(folders)).toEqual([]);
  });

  test("a loop of one-folder changes puts in and takes out one folder's keys, and reads every entry only when it must", () => {
    const folders = Array.from({ length: 20 }, (_, f) => list(Array.from({ length: 5 }, (__, i) => ({ cluster: 'hub', kind: 'ConfigMap', namespace: 'x', name: `f${f}-n${i}` })), true));
    const before = objectKeyStats();
    const went = () => ({ quick: objectKeyStats().quick - before.quick, full: objectKeyStats().full - before.full });
    expect(duplicateObjects(folders)).toEqual([]);
    // Folder 3 built anew with the same objects (a new list), then the old list again, then a changed folder 5.
    const again = list(Array.from({ length: 5 }, (_, i) => ({ cluster: 'hub', kind: 'ConfigMap', namespace: 'x', name: `f3-n${i}` })), true);
    expect(duplicateObjects([...folders.slice(0, 3), again, ...folders.slice(4)])).toEqual([]);
    expect(duplicateObjects(folders)).toEqual([]);
    const five = list([{ cluster: 'hub', kind: 'ConfigMap', namespace: 'x', name: 'f5-renamed' }], true);
    expect(duplicateObjects([...folders.slice(0, 5), five, ...folders.slice(6)])).toEqual([]);
    expect(went()).toEqual({ quick: 3, full: 1 });
    // Mostly new lists: one pass over every entry.
    const others = folders.map((f) => list(f.map((e) => ({ cluster: e.cluster, kind: e.object.kind, name: e.object.metadata.name })), true));
    expect(duplicateObjects(others)).toEqual([]);
    expect(went()).toEqual({ quick: 3, full: 2 });
  });
});
