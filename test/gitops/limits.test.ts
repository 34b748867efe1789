import { APPLICATION_LIMITS, checkApplicationLimits, Entry, synthesize } from '../../lib/internal';
import { benchStack } from '../../bench/stacks';
import { sharedPath } from '../support/shared';

const schemas = { k8sOpenApi: sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), crds: [sharedPath('crds')] };

/** A folder Application as edgewatt writes it, so the limits check applies to the tree. */
function app(cluster: string, name: string): Entry {
  return {
    file: `dist/${cluster}/argocd/application-${name}.yaml`,
    cluster,
    object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'edgewatt', 'edgewatt.io/component': 'fleet' } }, spec: { source: { path: `dist/${cluster}/fleet` } } },
  } as Entry;
}
function configMap(cluster: string, folder: string, i: number, size = 10): Entry {
  return { file: `dist/${cluster}/${folder}/configmap-c${i}.yaml`, cluster, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'x' }, data: { d: 'x'.repeat(size) } } } as Entry;
}

describe('Argo CD limits (APPLICATION_LIMITS): objects and bytes per Application, Applications per cluster', () => {
  test('a folder over 1,000 objects, one over 2 MiB and a cluster over 1,000 Applications are each a finding', () => {
    const many = Array.from({ length: APPLICATION_LIMITS.maxObjects + 1 }, (_, i) => configMap('hub', 'fleet', i));
    const heavy = Array.from({ length: 3 }, (_, i) => configMap('hub', 'big', i, 800 * 1024));
    const apps = Array.from({ length: APPLICATION_LIMITS.maxObjects + 1 }, (_, i) => app('site-01', `a${i}`));
    const messages = checkApplicationLimits([...many, ...heavy, ...apps], 'dist').map((f) => f.message);
    expect(messages).toEqual([
      expect.stringMatching(/^folder hub\/big \(one Argo CD Application\) holds \d+ bytes of objects: over Argo CD's 2097152-byte limit/),
      expect.stringMatching(/^folder hub\/fleet \(one Argo CD Application\) holds 1001 objects: over Argo CD's 1000-object limit/),
      expect.stringMatching(/^cluster site-01 has 1001 Applications .*: over Argo CD's 1000-object limit/),
    ]);
    expect(checkApplicationLimits([...many.slice(1), app('hub', 'a')], 'dist')).toEqual([]);
  });

  test('objects are counted per folder wherever they sit in the list; files above or below a folder are not counted; bytes are exact', () => {
    const deeper = (i: number): Entry => ({ ...configMap('hub', 'fleet', i), file: `dist/hub/fleet/sub/configmap-d${i}.yaml` });
    const top = (i: number): Entry => ({ ...configMap('hub', 'fleet', i), file: `dist/hub/configmap-t${i}.yaml` });
    const heavy = Array.from({ length: 3 }, (_, i) => configMap('hub', 'big', i, 800 * 1024));
    const list: Entry[] = [app('hub', 'a')];
    for (let i = 0; i < APPLICATION_LIMITS.maxObjects; i++) list.push(configMap('hub', 'fleet', i), deeper(i), top(i), ...(i < 2 ? [heavy[i]] : []), configMap('hub', 'fleet2', i));
    expect(checkApplicationLimits(list, 'dist')).toEqual([]);
    // One more object in hub/fleet (after a deeper file), and a third heavy one in hub/big between other folders' files.
    list.push(deeper(-1), configMap('hub', 'fleet', -1));
    list.splice(7, 0, heavy[2]);
    const bytes = heavy.reduce((n, e) => n + JSON.stringify(e.object).length, 0);
    expect(checkApplicationLimits(list, 'dist').map((f) => `${f.file}: ${f.message}`)).toEqual([
      `dist/hub/big/configmap-c0.yaml: folder hub/big (one Argo CD Application) holds ${bytes} bytes of objects: over Argo CD's 2097152-byte limit per Application; split the component`,
      "dist/hub/fleet/configmap-c0.yaml: folder hub/fleet (one Argo CD Application) holds 1001 objects: over Argo CD's 1000-object limit per Application; split the component or the cluster",
    ]);
  });

  test('200 clusters and 20,000 devices: the synth passes the gate, and every folder and every cluster is under the limits', () => {
    const r = synthesize(benchStack(20000, 200), { outLabel: 'dist', validation: { schemas } }); // throws on a limit finding
    const folders = new Map<string, { objects: number; bytes: number }>();
    for (const [f, text] of r.files) {
      const parts = f.split('/');
      if (parts.length !== 3 || !f.endsWith('.yaml')) continue;
      const k = `${parts[0]}/${parts[1]}`;
      const e = folders.get(k) ?? { objects: 0, bytes: 0 };
      folders.set(k, { objects: e.objects + 1, bytes: e.bytes + Buffer.byteLength(text) });
    }
    expect(new Set([...folders.keys()].map((k) => k.split('/')[0])).size).toBe(200);
    expect([...folders.keys()].filter((k) => k.startsWith('hub/fleet-')).length).toBeGreaterThan(10); // sharded
    for (const [k, e] of folders) {
      expect({ k, over: e.objects > APPLICATION_LIMITS.maxObjects || e.bytes > APPLICATION_LIMITS.maxBytes }).toEqual({ k, over: false });
    }
  }, 240000);
});
