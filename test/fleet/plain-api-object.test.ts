import { ApiObject, App, Chart, JsonPatch, Lazy, ResolutionContext } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { EdgeDeviceSet, EdgeDeviceSignedRequest, EdgeDeviceSignedRequests, EdgeWorkload } from '../../lib/fleet/flotta';
import { plainObjectToJson, plainToJson } from '../../lib/core/plain-api-object';
import { renderChart } from '../../lib/synth/render-chart';
import { FleetChart, COMPONENT_REGISTRY } from '../../charts';
import { resolveStack } from '../../lib/synth/resolve-all';
import { benchStack } from '../../bench/stacks';

/**
 * The Flotta objects render without cdk8s's per-value resolve walk (lib/core/plain-api-object.ts). Each case
 * here renders one object both ways — its own toJson, and cdk8s's ApiObject.prototype.toJson on the same
 * object — and needs the same JSON, key order included; cases the fast path must leave to cdk8s check that
 * it does.
 */
function both(obj: ApiObject): { own: string; cdk8s: string; fast: boolean } {
  return { own: JSON.stringify(obj.toJson()), cdk8s: JSON.stringify(ApiObject.prototype.toJson.call(obj)), fast: plainToJson(obj) !== undefined };
}

function chart(props: ConstructorParameters<typeof Chart>[2] = {}, app = new App({ outdir: '.unused' })): Chart {
  return new Chart(app, 'c', props);
}

const request = (c: Chart, spec: Record<string, unknown> = {}) =>
  new EdgeDeviceSignedRequest(c, 'r', { metadata: { name: 'dev-1', namespace: 'default', labels: { 'z.io/b': 'x', a: 'y' } }, spec: { targetNamespace: 'fleet', targetSet: 'set-a', approved: true, ...spec } });

describe('Flotta objects render as cdk8s renders them', () => {
  test('a signed request: sorted keys, apiVersion/kind/metadata first, same JSON', () => {
    const r = both(request(chart()));
    expect(r.fast).toBe(true);
    expect(r.own).toBe(r.cdk8s);
    expect(Object.keys(JSON.parse(r.own))).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(JSON.parse(r.own).metadata).toEqual({ labels: { a: 'y', 'z.io/b': 'x' }, name: 'dev-1', namespace: 'default' });
  });

  test('undefined and null values, empty metadata fields, arrays with holes and integer-like keys', () => {
    const c = chart({ labels: { chart: 'l' }, namespace: 'ns' });
    const o = new EdgeDeviceSet(c, 's', {
      metadata: { name: 's', annotations: {}, finalizers: [], extra: { b: [], a: {} } } as never,
      spec: { heartbeat: { periodSeconds: 30, hardwareProfile: undefined }, metrics: { system: { interval: 60, allowList: null as never }, '10': 1, '9': [undefined, null, {}, []] } as never },
    });
    const r = both(o);
    expect(r.fast).toBe(true);
    expect(r.own).toBe(r.cdk8s);
  });

  test('metadata changed after construction (labels, annotations, finalizers, owner references, added fields)', () => {
    const o = request(chart());
    o.metadata.addLabel('late', 'v');
    o.metadata.addAnnotation('note', 'n');
    o.metadata.addFinalizers('f');
    o.metadata.addOwnerReference({ apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'u' });
    o.metadata.add('generateName', 'g-');
    const r = both(o);
    expect(r.fast).toBe(true);
    expect(r.own).toBe(r.cdk8s);
    expect(JSON.parse(r.own).metadata.annotations).toEqual({ note: 'n' });
  });

  test('an EdgeWorkload with a pod spec (cdk8s-plus toJson output keeps undefined fields)', () => {
    const o = new EdgeWorkload(chart(), 'w', {
      metadata: { name: 'w', namespace: 'fleet' },
      spec: { type: 'pod', device: 'dev-1', pod: { spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80, protocol: 'TCP' }] }] } } },
    });
    const r = both(o);
    expect(r.fast).toBe(true);
    expect(r.own).toBe(r.cdk8s);
  });

  test('number-or-string unions (IntOrString, Quantity) become { value } as NumberStringUnionResolver makes them', () => {
    const o = new ApiObject(chart(), 'svc', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc' },
      spec: { ports: [{ port: 80, targetPort: k8s.IntOrString.fromString('http') }, { port: 81, targetPort: k8s.IntOrString.fromNumber(8081) }], cpu: k8s.Quantity.fromString('100m') },
    });
    expect(plainToJson(o)).toEqual(o.toJson());
    expect(JSON.stringify(plainToJson(o))).toBe(JSON.stringify(o.toJson()));
    expect((plainToJson(o) as any).spec.ports[0].targetPort).toEqual({ value: 'http' });
    // A class instance without a number or string value is cdk8s's to reject.
    const odd = new ApiObject(chart(), 'odd', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'odd' }, data: { when: new Date(0) } });
    expect(plainToJson(odd)).toBeUndefined();
  });

  test('tokens, JSON patches and custom resolvers take cdk8s own path, with its result', () => {
    const lazy = request(chart(), { targetSet: Lazy.any({ produce: () => 'lazy-set' }) });
    expect(both(lazy)).toEqual(expect.objectContaining({ fast: false }));
    expect(JSON.parse(both(lazy).own).spec.targetSet).toBe('lazy-set');

    const token = request(chart(), { targetSet: { resolve: () => 'token-set' } });
    expect(both(token).fast).toBe(false);
    expect(JSON.parse(both(token).own).spec.targetSet).toBe('token-set');

    const patched = request(chart());
    patched.addJsonPatch(JsonPatch.replace('/spec/approved', false));
    expect(both(patched).fast).toBe(false);
    expect(JSON.parse(both(patched).own).spec.approved).toBe(false);

    const app = new App({ outdir: '.unused', resolvers: [{ resolve: (ctx: ResolutionContext) => (ctx.value === 'fleet' ? ctx.replaceValue('rewritten') : undefined) }] });
    const resolved = request(chart({}, app));
    expect(both(resolved).fast).toBe(false);
    expect(JSON.parse(both(resolved).own).spec.targetNamespace).toBe('rewritten');

    const instance = request(chart(), { targetSet: new (class Custom {})() });
    expect(plainToJson(instance)).toBeUndefined();
    expect(() => instance.toJson()).toThrow(/non-simple object of type 'Custom'/);
  });

  test('CDK8S_DISABLE_SORT keeps cdk8s own (unsorted) rendering', () => {
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const o = request(chart());
      expect(both(o).fast).toBe(false);
      expect(both(o).own).toBe(both(o).cdk8s);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });
});

describe('registrations without a construct per device render as EdgeDeviceSignedRequests', () => {
  const props = (i: number, extra: Record<string, unknown> = {}) => ({
    metadata: { name: `dev-${i}`, namespace: i % 2 ? 'flotta-registration' : undefined, labels: { 'z.io/b': 'x', a: `y${i}` }, ...extra } as never,
    spec: { targetNamespace: 'fleet', targetSet: i % 3 ? 'set-a' : undefined, approved: i % 5 !== 0 } as never,
  });

  test('the same JSON as one EdgeDeviceSignedRequest each, key order included, with and without chart labels and namespace', () => {
    for (const chartProps of [{}, { labels: { chart: 'l', a: 'from-chart' }, namespace: 'chart-ns' }]) {
      const c = chart(chartProps);
      const bulk = new EdgeDeviceSignedRequests(c, 'bulk');
      const one = [0, 1, 2, 3, 4, 5].map((i) => new EdgeDeviceSignedRequest(c, `r${i}`, props(i)));
      [0, 1, 2, 3, 4, 5].forEach((i) => bulk.add(props(i)));
      expect(bulk.size).toBe(6);
      const mine = bulk.toJson();
      expect(mine.map((o) => JSON.stringify(o))).toEqual(one.map((o) => JSON.stringify(ApiObject.prototype.toJson.call(o))));
      // New objects on every call: a caller changing one changes nothing here.
      (mine[0].spec as Record<string, unknown>).approved = 'changed';
      expect(JSON.stringify(bulk.toJson()[0])).toBe(JSON.stringify(ApiObject.prototype.toJson.call(one[0])));
    }
  });

  test('every metadata field cdk8s knows (annotations, finalizers, owner references, others, none) renders the same', () => {
    const c = chart({ labels: { chart: 'l' } });
    const variants = [
      { name: 'a', annotations: { z: '1', b: '2' }, finalizers: ['f'], ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'u' }] },
      { name: 'b', generateName: 'g-', annotations: {}, finalizers: [], labels: {} },
      { name: 'c', namespace: 'ns', labels: { only: 'x' }, extra: { nested: { b: 1, a: [] } } },
      { name: 'd' },
    ];
    const bulk = new EdgeDeviceSignedRequests(c, 'bulk');
    variants.forEach((metadata, i) => {
      const props = { metadata: metadata as never, spec: { targetNamespace: 'fleet', approved: true } };
      bulk.add(props);
      const one = new EdgeDeviceSignedRequest(c, `one-${i}`, props);
      expect(JSON.stringify(bulk.toJson()[i])).toBe(JSON.stringify(ApiObject.prototype.toJson.call(one)));
    });
  });

  test('with a custom resolver or CDK8S_DISABLE_SORT each request is an EdgeDeviceSignedRequest construct, rendered by cdk8s', () => {
    const app = new App({ outdir: '.unused', resolvers: [{ resolve: (ctx: ResolutionContext) => (ctx.value === 'fleet' ? ctx.replaceValue('rewritten') : undefined) }] });
    const c = chart({}, app);
    const bulk = new EdgeDeviceSignedRequests(c, 'bulk');
    bulk.add(props(1));
    expect(bulk.toJson()).toEqual([]);
    expect(bulk.size).toBe(1);
    expect((c.toJson() as Array<{ spec: { targetNamespace: string } }>).map((o) => o.spec.targetNamespace)).toEqual(['rewritten']);
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const unsorted = new EdgeDeviceSignedRequests(chart(), 'bulk');
      unsorted.add(props(2));
      expect(unsorted.toJson()).toEqual([]);
      expect(Chart.of(unsorted).toJson()).toHaveLength(1);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });

  test('a name added twice throws, as a second construct of the same id did', () => {
    const bulk = new EdgeDeviceSignedRequests(chart(), 'bulk');
    bulk.add(props(1));
    expect(() => bulk.add(props(1))).toThrow(/already a registration request named "dev-1"/);
  });

  test('plainObjectToJson: empty metadata fields dropped, keys sorted, apiVersion/kind/metadata first; not plain data throws', () => {
    const c = chart();
    const p = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', annotations: {}, finalizers: [], labels: { b: '1', a: '2' } }, data: { z: '1', a: undefined, m: null }, binaryData: {} } as const;
    expect(JSON.stringify(plainObjectToJson(p))).toBe(JSON.stringify(ApiObject.prototype.toJson.call(new ApiObject(c, 'cm', p as never))));
    expect(Object.keys(plainObjectToJson({ kind: 'K', spec: { b: 1 }, apiVersion: 'v1' }))).toEqual(['apiVersion', 'kind', 'spec']);
    expect(() => plainObjectToJson({ apiVersion: 'v1', kind: 'K', spec: { x: Lazy.any({ produce: () => 1 }) } })).toThrow(/K: spec is not plain data/);
    expect(() => plainObjectToJson({ apiVersion: 'v1', kind: 'K', metadata: { name: { resolve: () => 'n' } } })).toThrow(/K: metadata is not plain data/);
  });

  test("the fleet chart's toJson (as cdk8s's App.synth reads it) has every device's request after its ApiObjects", () => {
    const model = resolveStack(benchStack(300));
    const def = COMPONENT_REGISTRY.find((d) => d.name === 'fleet')!;
    const fleet = def.build(new App({ outdir: '.unused' }), 'hub-fleet', { model, cluster: model.clusters[0], registry: COMPONENT_REGISTRY }) as FleetChart;
    const objects = fleet.toJson() as Array<{ kind: string; metadata: { name: string } }>;
    const requests = objects.filter((o) => o.kind === 'EdgeDeviceSignedRequest');
    expect(requests.map((o) => o.metadata.name)).toEqual(model.fleet!.devices.map((d) => d.name));
    expect(objects.slice(-requests.length)).toEqual(requests);
    expect(fleet.registrations.size).toBe(300);
    // edgewatt's own rendering (renderChart's quick path, then the plain objects) gives the same JSON as cdk8s's.
    expect(JSON.stringify(renderChart(fleet))).toBe(JSON.stringify(objects));
    // Each request is what an EdgeDeviceSignedRequest construct with its props renders in a chart like the fleet's.
    const like = new Chart(new App({ outdir: '.unused' }), 'like', { disableResourceNameHashes: true });
    const first = model.fleet!.devices[0].name;
    const props0 = { metadata: { ...(requests[0].metadata as object), name: first } as never, spec: (requests[0] as unknown as { spec: never }).spec };
    expect(JSON.stringify(ApiObject.prototype.toJson.call(new EdgeDeviceSignedRequest(like, 'r', props0)))).toBe(JSON.stringify(requests[0]));
  });
});
