/**
 * The flow gate reading a synth's entries by folder (lib/validate/segments.ts): each folder's index and the objects
 * that name Services kept with its frozen list, the clusters joined from their folders' indexes, and a cluster whose
 * folders are the same lists as last time taken as it was. The reference is the flat tree, thawed, checked from nothing.
 */
import * as fc from 'fast-check';
import { parse } from 'yaml';
import { deepFreeze } from '../../lib/core/freeze';
import { Flow } from '../../lib/core/flows';
import { synthesize } from '../../lib/internal';
import { ClusterObjects, Entry, flowReuseStats, forgetFlowVerdicts } from '../../lib/validate';
import { checkFlows } from '../../lib/validate/flows/check';
import { withoutFlowReuse } from '../../lib/validate/flows/reuse';
import { demoStack } from '../support/stacks';

const result = synthesize(demoStack());
const FLOWS: Flow[] = JSON.parse(result.files.get('FLOWS.json')!).flows;

/** The demo output as a synth's gates see it: sorted by file, objects deep-frozen. */
const TREE: ReadonlyArray<Entry> = [...result.files]
  .filter(([file]) => file.endsWith('.yaml'))
  .map(([file, text]) => ({ file: `dist/${file}`, cluster: file.split('/')[0], object: deepFreeze(parse(text)) }))
  .sort((a, b) => (a.file < b.file ? -1 : 1));

const thawed = (es: ReadonlyArray<Entry>): Entry[] => es.map((e) => ({ ...e, object: structuredClone(e.object) as Entry['object'] }));
/** The findings of a check from nothing, on thawed copies (nothing kept, nothing reused). */
const reference = (es: ReadonlyArray<Entry>) => withoutFlowReuse(() => checkFlows(FLOWS, thawed(es)));

/** The entries by folder (`dist/<cluster>/<component>/`), each list and entry frozen, as a synth gives them. */
function folders(es: ReadonlyArray<Entry>): ReadonlyArray<ReadonlyArray<Entry>> {
  const out = new Map<string, Entry[]>();
  for (const e of es) {
    const key = e.file.split('/').slice(0, 3).join('/');
    out.set(key, [...(out.get(key) ?? []), Object.freeze({ ...e })]);
  }
  return [...out.values()].map((l) => Object.freeze(l));
}

const NETPOL = 'dist/line-1/iomt/networkpolicy-object-detect.yaml';

/** A broken copy: a NetworkPolicy that admits nothing, and a ConfigMap that names an output Service with no flow to it. */
function broken(es: ReadonlyArray<Entry>): Entry[] {
  const service = es.find((e) => e.object.kind === 'Service' && e.cluster === 'hub') as Entry;
  const host = `${service.object.metadata.name}.${service.object.metadata.namespace}.svc.cluster.local`;
  const out = es.map((e) => {
    if (e.file !== NETPOL) return e;
    const o = structuredClone(e.object) as unknown as { spec: { ingress?: unknown[] } };
    o.spec.ingress = [];
    return { ...e, object: deepFreeze(o) as never };
  });
  out.push({ file: 'dist/hub/zz/configmap-stray.yaml', cluster: 'hub', object: deepFreeze({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stray', namespace: 'default' }, data: { url: `http://${host}:80/` } }) as never });
  return out.sort((a, b) => (a.file < b.file ? -1 : 1));
}

beforeEach(() => forgetFlowVerdicts());

test('the broken copy fails the gate in both ways, and the demo passes', () => {
  expect(reference(TREE)).toEqual([]);
  const found = reference(broken(TREE)).map((f) => f.message);
  expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/no declared flow configured there reaches that Service/)]));
  expect(found.some((m) => !/no declared flow configured there/.test(m))).toBe(true);
});

test('any cut into lists, frozen or not, and any order of checks give the findings of a check from nothing', () => {
  const trees = [TREE, broken(TREE)];
  const refs = trees.map(reference);
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(1), fc.uniqueArray(fc.nat(200), { maxLength: 10 }), fc.boolean()), { minLength: 1, maxLength: 4 }), (checks) => {
      for (const [which, cuts, freeze] of checks) {
        const es = trees[which];
        const at = [0, ...cuts.map((c) => 1 + (c % (es.length - 1))).filter((c, i, all) => all.indexOf(c) === i).sort((a, b) => a - b), es.length];
        const lists = at.slice(1).map((end, i) => es.slice(at[i], end)).map((l) => (freeze ? Object.freeze(l) : l));
        expect(checkFlows(FLOWS, lists.flat(), 'dist', undefined, lists)).toEqual(refs[which]);
      }
    }),
    { numRuns: 25 },
  );
});

test('folders kept as they were give every verdict again; a changed folder (a new list) is checked again and its break found', () => {
  const kept = folders(TREE);
  expect(checkFlows(FLOWS, kept.flat(), 'dist', undefined, kept)).toEqual([]);
  expect(checkFlows(FLOWS, kept.flat(), 'dist', undefined, kept)).toEqual([]);
  expect(flowReuseStats()).toEqual({ reused: FLOWS.length, evaluated: 0 });
  const i = kept.findIndex((l) => l.some((e) => e.file === NETPOL));
  const changed = folders(broken(TREE).filter((e) => e.file.startsWith('dist/line-1/iomt/')));
  expect(changed.length).toBe(1);
  const next = [...kept.slice(0, i), changed[0], ...kept.slice(i + 1)];
  const found = checkFlows(FLOWS, next.flat(), 'dist', undefined, next);
  // The flows that read line-1 are checked again, the others keep their verdicts.
  const stats = flowReuseStats();
  expect(stats.evaluated).toBeGreaterThan(0);
  expect(stats.reused).toBeGreaterThan(0);
  expect(found.length).toBeGreaterThan(0);
  expect(found).toEqual(reference(next.flat()));
  expect(checkFlows(FLOWS, kept.flat(), 'dist', undefined, kept)).toEqual([]);
});

test("a cluster joined from its folders' indexes answers every lookup as one index of all its entries", () => {
  const hub = TREE.filter((e) => e.cluster === 'hub');
  const whole = new ClusterObjects('hub', hub);
  const kinds = [...new Set(hub.map((e) => e.object.kind))];
  const namespaces = [...new Set(hub.map((e) => e.object.metadata.namespace ?? 'none'))];
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: hub.length - 1 }), { maxLength: 12 }), (cuts) => {
      const at = [0, ...cuts.sort((a, b) => a - b), hub.length];
      const joined = ClusterObjects.of('hub', at.slice(1).map((end, i) => Object.freeze(hub.slice(at[i], end))));
      for (const k of kinds) {
        expect(joined.kind(k)).toEqual(whole.kind(k));
        expect(joined.partDigest(`kind ${k}`)).toBe(whole.partDigest(`kind ${k}`));
      }
      expect(joined.pods).toEqual(whole.pods);
      expect(joined.partDigest('pods')).toBe(whole.partDigest('pods'));
      expect(joined.partDigest('namespaces in use')).toBe(whole.partDigest('namespaces in use'));
      for (const ns of namespaces) {
        expect(joined.namespaceLabels(ns)).toEqual(whole.namespaceLabels(ns));
        expect(joined.holdsObjectsIn(ns)).toBe(whole.holdsObjectsIn(ns));
      }
    }),
    { numRuns: 30 },
  );
});
