/**
 * A synth's folders in path order (lib/synth/folder-order.ts): the same order, layout, gate entries and problems as
 * collectPlaced over every object, and each kept folder's work reused by the next synth.
 */
import fc from 'fast-check';
import { ValidationError } from '../../lib/core/errors';
import { deepFreeze } from '../../lib/core/freeze';
import { orderFolders } from '../../lib/synth/folder-order';
import { KubeObject, Manifest } from '../../lib/synth/kube-object';
import { collectPlaced, PlacedObject, placeManifest } from '../../lib/synth/layout';
import { Placer } from '../../lib/synth/placement-reuse';

const cm = (name: string, namespace?: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(namespace ? { namespace } : {}) } }) as KubeObject;

/** What planSynth made of placed folders before: collectPlaced, a map of every file with the texts set over it, sorted. */
function reference(folders: ReadonlyArray<ReadonlyArray<PlacedObject>>, texts: ReadonlyMap<string, string>, root: string) {
  const all = collectPlaced(folders.flat());
  const files = new Map<string, KubeObject | string>(all.map((p) => [p.path, p.object]));
  for (const [p, t] of texts) files.set(p, t);
  return {
    all,
    layout: [...files].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    entries: all.map((p) => ({ file: `${root}/${p.path}`, cluster: p.cluster, object: p.object })),
  };
}

/** The problems a call throws (ValidationError), or undefined when it returns. */
function thrown(f: () => unknown): unknown {
  try {
    f();
    return undefined;
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return e.problems;
  }
}

/** Each manifest's folder as Placer gives it (frozen lists of frozen placed objects), in one synth. */
function place(manifests: ReadonlyArray<Manifest>): Array<ReadonlyArray<PlacedObject>> {
  const placer = new Placer();
  const out = manifests.map((m) => placer.place(m).placed);
  placer.close();
  return out;
}

const name = fc.constantFrom('a', 'b', 'x', 'y', 'zz', 'a-b');
const manifest = fc.record({
  cluster: fc.constantFrom('hub', 'site-01', 'site-1', 'site'),
  // Names that are prefixes of each other, and sort around the `/` after them (`-` and `.` before it, `0` after).
  component: fc.constantFrom('fleet', 'fleet-000', 'fleet-001', 'fleet.x', 'fleet0', 'iomt'),
  objects: fc.array(fc.tuple(name, fc.option(fc.constantFrom('a', 'b'), { nil: undefined })), { maxLength: 6 }).map((l) => l.map(([n, ns]) => cm(n, ns))),
});

describe('folders in path order', () => {
  test('the same order, layout, entries and problems as collectPlaced over every object (random folders, frozen or not)', () => {
    fc.assert(
      fc.property(
        fc.array(manifest, { maxLength: 8 }),
        fc.boolean(),
        // Texts, some at an object's path (the text takes its place), some between folders.
        fc.array(fc.tuple(fc.constantFrom('README.md', 'FLOWS.md', 'hub/fleet/configmap-x.yaml', 'hub/README.md', 'site-01/fleet-000/notes.txt'), fc.string()), { maxLength: 4 }),
        (manifests, frozen, textList) => {
          const texts = new Map(textList);
          const folders = frozen ? place(manifests.map((m) => ({ ...m, objects: deepFreeze(m.objects) }))) : manifests.map(placeManifest);
          const want = thrown(() => reference(folders, texts, 'dist'));
          expect(thrown(() => orderFolders(folders))).toEqual(want);
          if (want !== undefined) return;
          const ref = reference(folders, texts, 'dist');
          const got = orderFolders(folders);
          expect(got.all()).toEqual(ref.all);
          expect(got.layout(texts)).toEqual(ref.layout);
          expect(got.segments('dist').flat()).toEqual(ref.entries);
          // Asked again (the second time from what was kept), and under another root.
          expect(orderFolders(folders).segments('dist').flat()).toEqual(ref.entries);
          expect(orderFolders(folders).segments('out/x').flat()).toEqual(reference(folders, texts, 'out/x').entries);
        },
      ),
      { numRuns: 400 },
    );
  });

  test('a folder placed as in the last synth: its entries are the last synth\'s objects; a changed folder gets new ones', () => {
    const kept = { cluster: 'hub', component: 'fleet-000', objects: deepFreeze([cm('y'), cm('x')]) };
    const changed = { cluster: 'hub', component: 'fleet-001', objects: deepFreeze([cm('z')]) };
    const first = orderFolders(place([kept, changed]));
    const firstEntries = first.segments('dist').flat();
    expect(firstEntries.map((e) => e.file)).toEqual(['dist/hub/fleet-000/configmap-x.yaml', 'dist/hub/fleet-000/configmap-y.yaml', 'dist/hub/fleet-001/configmap-z.yaml']);
    expect(firstEntries.every((e) => Object.isFrozen(e))).toBe(true);
    const second = orderFolders(place([kept, { ...changed, objects: deepFreeze([cm('w')]) }]));
    const secondEntries = second.segments('dist').flat();
    expect(second.segments('dist')[0]).toBe(first.segments('dist')[0]);
    expect(secondEntries[0]).toBe(firstEntries[0]);
    expect(secondEntries[1]).toBe(firstEntries[1]);
    expect(secondEntries[2].file).toBe('dist/hub/fleet-001/configmap-w.yaml');
    expect(second.layout(new Map())[0]).toBe(first.layout(new Map())[0]);
  });

  test('one folder in two lists (two manifests of one cluster and component): sorted together, duplicates reported', () => {
    const a = placeManifest({ cluster: 'hub', component: 'argocd', objects: [cm('b'), cm('a')] });
    const b = placeManifest({ cluster: 'hub', component: 'argocd', objects: [cm('c')] });
    expect(orderFolders([a, b]).all().map((p) => p.path)).toEqual(['hub/argocd/configmap-a.yaml', 'hub/argocd/configmap-b.yaml', 'hub/argocd/configmap-c.yaml']);
    const twice = placeManifest({ cluster: 'hub', component: 'argocd', objects: [cm('a')] });
    expect(thrown(() => orderFolders([a, twice]))).toEqual([{ path: 'hub/argocd/configmap-a.yaml', message: 'ConfigMap "a" is produced twice: objects must be unique per kind, namespace and name' }]);
  });
});
