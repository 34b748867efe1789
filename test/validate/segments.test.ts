import fc from 'fast-check';
import { parse } from 'yaml';
import { deepFreeze } from '../../lib/core/freeze';
import { Entry, openValidationCache, validateEntries, ValidationCache } from '../../lib/internal';
import { tmpDir } from '../support/tmp';
import { checkEdgeWorkloads, checkEdgeWorkloadsIn } from '../../lib/validate/edge-workloads';
import { checkGitops, checkGitopsIn } from '../../lib/validate/gitops-check';
import { checkPolicy, checkPolicyIn } from '../../lib/validate/policy';
import { checkWiring, checkWiringIn } from '../../lib/validate/wiring';
import { checkExcludedObjects, DEFAULT_ARGO_EXCLUSIONS } from '../../lib/validate/argocd-exclusions';
import { checkMetricNames } from '../../lib/validate/metric-names';
import { findExpressions, findExpressionsIn } from '../../lib/validate/promql';
import { concatLists, Segments, segmentsOf } from '../../lib/validate/segments';
import { demoStack } from '../support/stacks';
import { synthChecked } from '../support/synth';

/** The demo's output as the gates see it, sorted by file. */
function demoEntries(): Entry[] {
  const r = synthChecked(demoStack());
  return [...r.files]
    .filter(([f]) => f.endsWith('.yaml'))
    .map(([f, text]) => ({ file: `dist/${f}`, cluster: f.split('/')[0], object: parse(text) }))
    .sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** The entries by folder (`dist/<cluster>/<component>/`), as a synth gives them: each list, entry and object frozen. */
function folders(entries: ReadonlyArray<Entry>): Entry[][] {
  const out = new Map<string, Entry[]>();
  for (const e of entries) {
    const key = e.file.split('/').slice(0, 3).join('/');
    const list = out.get(key) ?? [];
    list.push(e);
    out.set(key, list);
  }
  return [...out.values()];
}

const frozen = (list: ReadonlyArray<Entry>): ReadonlyArray<Entry> => Object.freeze(list.map((e) => Object.freeze({ ...e, object: deepFreeze(structuredClone(e.object)) })));

/** Each flat check and its by-lists form. */
const CHECKS: ReadonlyArray<[string, (entries: ReadonlyArray<Entry>) => unknown, (segments: Segments) => unknown]> = [
  ['policy', checkPolicy, checkPolicyIn],
  ['edge workloads', checkEdgeWorkloads, checkEdgeWorkloadsIn],
  ['gitops', (e) => checkGitops(e, 'dist'), (s) => checkGitopsIn(s, 'dist')],
  ['expressions', findExpressions, findExpressionsIn],
  ['wiring', checkWiring, checkWiringIn],
  ['Argo CD exclusions', (e) => checkExcludedObjects(e, 'dist', DEFAULT_ARGO_EXCLUSIONS), (s) => checkExcludedObjects(s.flat(), 'dist', DEFAULT_ARGO_EXCLUSIONS, s)],
  // With no exporter's metrics known, every name but the recorded ones is a finding: the recording rules of every list count.
  ['metric names', (e) => checkMetricNames(e, new Set()), (s) => checkMetricNames(s.flat(), new Set(), findExpressionsIn(s), s)],
];

/** A copy of the demo's entries that fails each check: a privileged container, a port without a host port, an orphan folder. */
function broken(entries: ReadonlyArray<Entry>): Entry[] {
  const out = structuredClone(entries) as Entry[];
  const deployment = out.find((e) => e.object.kind === 'Deployment') as unknown as { object: { spec: { template: { spec: { containers: Array<{ securityContext?: object }> } } } } };
  deployment.object.spec.template.spec.containers[0].securityContext = { privileged: true };
  const workload = out.find((e) => e.object.kind === 'EdgeWorkload') as unknown as { object: { spec: { pod: { spec: { containers: Array<{ ports?: object[] }> } } } } };
  workload.object.spec.pod.spec.containers[0].ports = [{ containerPort: 8080 }];
  const app = out.findIndex((e) => e.object.kind === 'Application' && e.file.includes('/argocd/') && e.object.metadata.labels?.['edgewatt.io/component'] === 'energy');
  out.splice(app, 1);
  // A folder over Argo CD's 1,000-object limit per Application (so a cut inside it must still add up its objects).
  const at = out.findIndex((e) => e.file.startsWith('dist/hub/energy/'));
  const padding = Array.from({ length: 1001 }, (_, i) => ({
    file: `dist/hub/energy/configmap-pad-${String(i).padStart(4, '0')}.yaml`,
    cluster: 'hub',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `pad-${i}`, namespace: 'energy' }, data: {} },
  }));
  out.splice(at, 0, ...(padding as Entry[]));
  // An object defined twice (a Namespace's copy in another folder) and a pod that names a ConfigMap the tree lacks.
  const ns = out.find((e) => e.object.kind === 'Namespace') as Entry;
  out.push({ ...structuredClone(ns), file: 'dist/hub/zz/namespace-copy.yaml' });
  // Two EndpointSlices, which Argo CD's default exclusions drop from the sync, in a folder with an Application.
  out.push({ file: 'dist/hub/dashboards/endpoints-between.yaml', cluster: 'hub', object: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'between', namespace: 'dashboards' } } as never });
  for (const name of ['slice-a', 'slice-b']) {
    out.push({ file: `dist/hub/dashboards/endpointslice-${name}.yaml`, cluster: 'hub', object: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: 'dashboards' }, addressType: 'IPv4', endpoints: [] } as never });
  }
  for (const name of ['stray-a', 'stray-b']) {
    out.push({ file: `dist/hub/zz/configmap-${name}.yaml`, cluster: 'hub', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'nowhere' }, data: {} } as never });
  }
  const volumes = (deployment.object.spec.template.spec as unknown as { volumes?: object[] }).volumes ?? [];
  (deployment.object.spec.template.spec as unknown as { volumes: object[] }).volumes = [...volumes, { name: 'gone', configMap: { name: 'not-there' } }];
  return out;
}

describe('checks read by lists (lib/validate/segments.ts) find what they find over the whole list', () => {
  const demo = demoEntries();
  const bad = broken(demo);

  test('the broken copy fails every check that can fail, and the demo passes', () => {
    expect(checkPolicy(bad)).not.toEqual([]);
    expect(checkEdgeWorkloads(bad)).not.toEqual([]);
    expect(checkGitops(bad, 'dist').map((f) => f.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/folder hub\/energy .* holds 1\d{3} objects/), expect.stringMatching(/no Application|orphan|not deployed/i)]),
    );
    expect(findExpressions(demo).length).toBeGreaterThan(10);
    expect(checkWiring(bad).map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringMatching(/is also defined in/), expect.stringMatching(/ConfigMap "not-there" is not in the output/), expect.stringMatching(/namespace "nowhere" is not created/)]));
    // The demo's camera EndpointSlice is excluded by Argo CD's default too (synth writes the patch that drops the exclusion).
    expect(checkExcludedObjects(bad, 'dist', DEFAULT_ARGO_EXCLUSIONS).length).toBe(checkExcludedObjects(demo, 'dist', DEFAULT_ARGO_EXCLUSIONS).length + 3);
    expect(checkMetricNames(demo, new Set()).length).toBeGreaterThan(10);
    expect([checkPolicy(demo), checkEdgeWorkloads(demo), checkGitops(demo, 'dist'), checkWiring(demo)]).toEqual([[], [], [], []]);
  });

  test.each(CHECKS)('%s: any cut into consecutive lists, frozen or not, gives the same', (_, flat, byLists) => {
    for (const entries of [demo, bad]) {
      const whole = flat(entries);
      fc.assert(
        fc.property(fc.uniqueArray(fc.integer({ min: 1, max: entries.length - 1 }), { maxLength: 12 }), fc.boolean(), (cuts, freeze) => {
          const at = [0, ...cuts.sort((a, b) => a - b), entries.length];
          const lists = at.slice(1).map((end, i) => entries.slice(at[i], end));
          expect(byLists(freeze ? lists.map((l) => Object.freeze(l)) : lists)).toEqual(whole);
        }),
        { numRuns: 40 },
      );
    }
  });

  test('a folder kept from the last synth is read once; a changed folder (a new list) is read again, and its finding is caught', () => {
    const kept = folders(demo).map(frozen);
    const entries = (lists: Segments) => lists.flat();
    const run = (lists: Segments) => validateEntries(entries(lists), { root: 'dist', segments: lists }).map((f) => `${f.file} ${f.pointer}: ${f.message}`);
    expect(run(kept)).toEqual([]);
    // The folder of the first Deployment, changed: a new frozen list with a privileged container.
    const i = kept.findIndex((l) => l.some((e) => e.object.kind === 'Deployment'));
    const changed = structuredClone(kept[i]) as Entry[];
    const d = changed.find((e) => e.object.kind === 'Deployment') as unknown as { file: string; object: { spec: { template: { spec: { containers: Array<{ securityContext?: object }> } } } } };
    d.object.spec.template.spec.containers[0].securityContext = { privileged: true };
    const next = [...kept.slice(0, i), frozen(changed), ...kept.slice(i + 1)];
    expect(run(next).filter((f) => f.startsWith(`${d.file} /spec/template/spec/containers/0/securityContext`)).length).toBeGreaterThan(0);
    // Back to the kept folder: its facts are the last clean ones.
    expect(run(kept)).toEqual([]);
    // A list that is not frozen is read every time, even when changed in place (an object added to it).
    const loose = kept.map((l) => l.map((e) => ({ ...e, object: structuredClone(e.object) })));
    expect(run(loose)).toEqual([]);
    loose[i].push({ ...d, file: d.file.replace(/\.yaml$/, '-copy.yaml'), object: { ...d.object, metadata: { ...(d.object as never as Entry['object']).metadata, name: 'copy' } } } as never);
    expect(run(loose).filter((f) => f.includes('-copy.yaml /spec/template/spec/containers/0/securityContext')).length).toBeGreaterThan(0);
  });

  test('a frozen list read under another root is tallied for that root', () => {
    const lists = folders(demo).map(frozen);
    expect(checkGitopsIn(lists, 'dist')).toEqual([]);
    // Under another root no file is in a folder the Applications name: every Application points at a missing folder.
    const other = checkGitopsIn(lists, 'elsewhere');
    expect(other).toEqual(checkGitops(lists.flat(), 'elsewhere'));
  });

  test('lists that do not concatenate to the entries are not used', () => {
    const lists = folders(demo);
    expect(segmentsOf(demo, lists)).toBe(lists);
    expect(segmentsOf(demo, undefined)).toEqual([demo]);
    expect(segmentsOf(demo, lists.slice(1))).toEqual([demo]);
    expect(segmentsOf(demo, lists.slice(0, -1))).toEqual([demo]);
    expect(segmentsOf(demo, [...lists.slice(0, -1), lists[lists.length - 1].slice(1)])).toEqual([demo]);
    const swapped = [lists[1], lists[0], ...lists.slice(2)];
    expect(segmentsOf(demo, swapped)).toEqual([demo]);
  });

  test("with a cache of passed objects, a kept folder is not looked up again, and a changed folder's object with an error is caught", () => {
    const dir = tmpDir();
    const kept = folders(demo).map(frozen);
    let lookups = 0;
    const run = (lists: Segments) => {
      const real = openValidationCache(dir, 'segments-test');
      const cache: ValidationCache = { ...real, has: (d) => (lookups++, real.has(d)) };
      const found = validateEntries(lists.flat(), { root: 'dist', segments: lists, cache }).map((f) => `${f.file} ${f.pointer}: ${f.message}`);
      real.save();
      return found;
    };
    expect(run(kept)).toEqual([]); // an empty cache: every object checked, every digest recorded
    expect(run(kept)).toEqual([]); // every digest found: each folder found all passed
    lookups = 0;
    expect(run(kept)).toEqual([]);
    expect(lookups).toBe(0);
    // A folder built anew with a ConfigMap whose name Kubernetes refuses.
    const i = kept.findIndex((l) => l.some((e) => e.object.kind === 'ConfigMap'));
    const changed = structuredClone(kept[i]) as Entry[];
    const bad = changed.find((e) => e.object.kind === 'ConfigMap') as Entry;
    (bad.object.metadata as { name: string }).name = 'Bad_Name';
    const next = [...kept.slice(0, i), frozen(changed), ...kept.slice(i + 1)];
    for (let round = 0; round < 2; round++) {
      lookups = 0;
      expect(run(next).filter((f) => f.startsWith(`${bad.file} /metadata/name`)).length).toBeGreaterThan(0);
      expect(lookups).toBe(changed.length); // only the changed folder is looked up, and its failed object never recorded
    }
  });

  test('concatLists gives the lists flattened one level, for any number of lists (more than one call takes)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.oneof(fc.integer(), fc.array(fc.integer(), { maxLength: 2 })), { maxLength: 3 }), { maxLength: 40 }), (lists) => {
        expect(concatLists(lists)).toEqual(lists.flat());
      }),
    );
    const many = Array.from({ length: 20_000 }, (_, i) => Object.freeze([i, [i]]));
    expect(concatLists(many)).toEqual(many.flat());
  });
});
