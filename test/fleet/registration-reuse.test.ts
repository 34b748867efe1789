import { synthesize } from '../../lib/internal';
import { demoStack } from '../support/stacks';
import { forgetCharts } from '../../lib/synth/chart-reuse';
import { KubeObject } from '../../lib/synth/kube-object';
import { synthesizeManifests } from '../../lib/synth/manifests';
import { resolveStack } from '../../lib/synth/resolve-all';

/** The bundled example as plain data (a fresh copy each time, to edit). */
const demo = (): Record<string, any> => demoStack() as Record<string, any>;

/** Each device's registration request, as the synth's manifests hold it (SkipDryRunOnMissingResource applied). */
function requests(stack: unknown): Map<string, KubeObject> {
  const r = synthesize(stack as never);
  const out = new Map<string, KubeObject>();
  for (const m of r.manifests) for (const o of m.objects) if (o.kind === 'EdgeDeviceSignedRequest') out.set(o.metadata.name, o);
  return out;
}

afterEach(() => forgetCharts());

describe('device registration requests kept for the next synth (EdgeDeviceSignedRequests.addDevice)', () => {
  test('an unchanged device gets the same frozen object again, a renamed one a new object', () => {
    const stack = demo();
    const first = requests(stack);
    expect([...first.keys()].sort()).toEqual(['cam-01', 'gw-01', 'pi-01']);
    stack.fleet.devices[1].name = 'gw-02';
    const second = requests(stack);
    expect(second.get('cam-01')).toBe(first.get('cam-01'));
    expect(second.get('pi-01')).toBe(first.get('pi-01'));
    expect(Object.isFrozen(second.get('cam-01')) && Object.isFrozen(second.get('cam-01')!.metadata.labels)).toBe(true);
    expect(second.get('gw-01')).toBeUndefined();
    expect(second.get('gw-02')!.metadata.labels?.['edgewatt.io/device']).toBe('gw-02');
    expect(second.get('gw-02')!.metadata.annotations?.['argocd.argoproj.io/sync-options']).toBe('SkipDryRunOnMissingResource=true');
  });

  test('a device moved to another set, and a new fleet namespace, give new objects with the new values', () => {
    const stack = demo();
    const first = requests(stack);
    stack.fleet.devices[2].set = 'gateways';
    const moved = requests(stack);
    expect(moved.get('pi-01')).not.toBe(first.get('pi-01'));
    expect((moved.get('pi-01')!.spec as { targetSet: string }).targetSet).toBe('gateways');
    expect(moved.get('cam-01')).toBe(first.get('cam-01'));
    stack.fleet.namespace = 'devices';
    const renamed = requests(stack);
    for (const name of ['cam-01', 'gw-01', 'pi-01']) {
      expect(renamed.get(name)).not.toBe(moved.get(name));
      expect((renamed.get(name)!.spec as { targetNamespace: string }).targetNamespace).toBe('devices');
    }
  });

  test('with GitOps the fleet chart gives each request its SkipDryRunOnMissingResource, so the synth keeps the chart\'s own object (no copy per request)', () => {
    const stack = demo();
    // The chart's objects, before the synth adds the sync options of custom resources (lib/gitops/sync.ts).
    const built = new Map<string, KubeObject>();
    for (const m of synthesizeManifests(resolveStack(stack))) for (const o of m.objects) if (o.kind === 'EdgeDeviceSignedRequest') built.set(o.metadata.name, o);
    expect(built.get('cam-01')!.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' });
    const synthesized = requests(stack);
    for (const name of ['cam-01', 'gw-01', 'pi-01']) expect(synthesized.get(name)).toBe(built.get(name));
  });

  test('without GitOps the requests carry no Argo CD annotation', () => {
    const stack = demo();
    delete stack.gitops;
    const synthesized = requests(stack);
    expect(synthesized.size).toBe(3);
    for (const o of synthesized.values()) expect(o.metadata.annotations).toBeUndefined();
  });
});
