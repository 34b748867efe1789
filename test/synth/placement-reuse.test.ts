/**
 * A folder holding the same frozen objects as in the last synth is placed as it was (lib/synth/placement-reuse.ts),
 * with the same files as a fresh placement; anything else is placed anew.
 */
import { deepFreeze } from '../../lib/core/freeze';
import { forgetCharts } from '../../lib/synth/chart-reuse';
import { KubeObject, Manifest } from '../../lib/synth/kube-object';
import { placeManifest } from '../../lib/synth/layout';
import { Placer, withoutPlacementReuse } from '../../lib/synth/placement-reuse';

const cm = (name: string, namespace = 'a'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } }) as KubeObject;

/** Places `manifests` in one synth; returns each folder's files and how many folders were reused. */
function synth(manifests: Manifest[]): { files: string[][]; reused: number } {
  const placer = new Placer();
  const files = manifests.map((m) => placer.place(m).placed.map((p) => p.path));
  placer.close();
  return { files, reused: placer.reused };
}

describe('placement reuse', () => {
  beforeEach(() => forgetCharts());

  test('the same frozen objects in the same order: reused, with the files a fresh placement gives', () => {
    // Two objects of one kind and name in two namespaces: their files carry the namespace.
    const objects = deepFreeze([cm('x', 'a'), cm('x', 'b'), cm('y')]);
    const m: Manifest = { cluster: 'hub', component: 'fleet-000', objects };
    const first = synth([m]);
    expect(first.reused).toBe(0);
    const again = synth([{ ...m, objects: [...objects] }]);
    expect(again.reused).toBe(1);
    expect(again.files).toEqual([placeManifest(m).map((p) => p.path)]);
    expect(again.files[0]).toEqual(['hub/fleet-000/a_configmap-x.yaml', 'hub/fleet-000/b_configmap-x.yaml', 'hub/fleet-000/configmap-y.yaml']);
  });

  test('one object replaced, the order changed, another folder, or an object not frozen: placed anew', () => {
    const objects = deepFreeze([cm('x', 'a'), cm('x', 'b'), cm('y')]);
    const m: Manifest = { cluster: 'hub', component: 'fleet-000', objects };
    synth([m]);
    // The namespace that named the file goes: placed anew, so the file loses its prefix.
    const replaced = [objects[0], deepFreeze(cm('z')), objects[2]];
    expect(synth([{ ...m, objects: replaced }])).toEqual({ files: [['hub/fleet-000/configmap-x.yaml', 'hub/fleet-000/configmap-z.yaml', 'hub/fleet-000/configmap-y.yaml']], reused: 0 });
    synth([m]);
    expect(synth([{ ...m, objects: [objects[1], objects[0], objects[2]] }]).reused).toBe(0);
    synth([m]);
    expect(synth([{ ...m, cluster: 'site-01' }]).files[0][0]).toBe('site-01/fleet-000/a_configmap-x.yaml');
    const loose = [cm('x', 'a'), cm('y')];
    synth([{ ...m, objects: loose }]);
    expect(synth([{ ...m, objects: loose }]).reused).toBe(0); // not frozen: never kept
  });

  test('a reference synth places everything anew and keeps nothing; the synth after it meets what the one before kept', () => {
    const m: Manifest = { cluster: 'hub', component: 'fleet-000', objects: deepFreeze([cm('x')]) };
    synth([m]);
    expect(withoutPlacementReuse(() => synth([m])).reused).toBe(0);
    expect(synth([m]).reused).toBe(1);
    forgetCharts();
    expect(synth([m]).reused).toBe(0);
  });
});
