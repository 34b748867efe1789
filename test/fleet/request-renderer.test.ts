import { App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { EdgeDeviceSignedRequests, forgetDeviceRequests } from '../../lib/fleet/flotta';
import { requestRenderer } from '../../lib/fleet/request-renderer';

/** Every object and array in `v` frozen. */
function deeplyFrozen(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  return Object.isFrozen(v) && Object.values(v).every(deeplyFrozen);
}

const key = fc.oneof(fc.constantFrom('edgewatt.io/device', 'app', '0', '10', 'a/b', 'Z', ''), fc.string({ maxLength: 6 }));
const dict = fc.dictionary(key, fc.string({ maxLength: 6 }), { maxKeys: 5 });

describe('device registration requests rendered from a probe (lib/fleet/request-renderer.ts)', () => {
  afterEach(() => forgetDeviceRequests());

  test('addDevice gives exactly what add gives for the same props (the generic render), key order included, deep-frozen', () => {
    fc.assert(
      fc.property(
        fc.record({
          chartNamespace: fc.option(fc.string({ minLength: 1, maxLength: 6 }), { nil: undefined }),
          chartLabels: dict,
          namespace: fc.string({ maxLength: 6 }),
          labels: dict,
          nameLabel: key,
          targetNamespace: fc.string({ maxLength: 6 }),
          annotations: fc.option(dict, { nil: undefined }),
          devices: fc.uniqueArray(fc.tuple(fc.string({ maxLength: 8 }), fc.oneof(fc.constant(''), fc.string({ maxLength: 4 }))), { selector: ([n]) => n, minLength: 1, maxLength: 6 }),
        }),
        (p) => {
          forgetDeviceRequests();
          const app = new App();
          const chart = new Chart(app, 'c', { namespace: p.chartNamespace, labels: p.chartLabels });
          const shared = { namespace: p.namespace, labels: p.labels, nameLabel: p.nameLabel, targetNamespace: p.targetNamespace, ...(p.annotations ? { annotations: p.annotations } : {}) };
          const byDevice = new EdgeDeviceSignedRequests(chart, 'by-device', shared);
          const byProps = new EdgeDeviceSignedRequests(chart, 'by-props');
          for (const [name, set] of p.devices) {
            byDevice.addDevice(name, set);
            const labels = { ...p.labels, [p.nameLabel]: name };
            byProps.add({
              metadata: p.annotations ? { name, namespace: p.namespace, labels, annotations: { ...p.annotations } } : { name, namespace: p.namespace, labels },
              spec: { targetNamespace: p.targetNamespace, targetSet: set, approved: true },
            });
          }
          const fast = byDevice.toJson();
          expect(JSON.stringify(fast)).toBe(JSON.stringify(byProps.toJson()));
          expect(fast.every(deeplyFrozen)).toBe(true);
          // No two requests share an object (a YAML writer may alias an object it meets twice).
          if (fast.length > 1) {
            const [a, b] = fast as Array<{ metadata: Record<string, unknown> }>;
            for (const k of Object.keys(a.metadata)) if (typeof a.metadata[k] === 'object') expect(a.metadata[k]).not.toBe(b.metadata[k]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test.each([
    ['the name not as metadata.name', (name: string, targetSet: string) => ({ metadata: { name: `${name}-x`, labels: { n: name } }, spec: { targetSet } })],
    ['the name label not the name', (name: string, targetSet: string) => ({ metadata: { name, labels: { n: `${name}!` } }, spec: { targetSet } })],
    ['the set not as spec.targetSet', (name: string, targetSet: string) => ({ metadata: { name, labels: { n: name } }, spec: { targetSet: `${targetSet}!` } })],
    ['the name somewhere else too', (name: string, targetSet: string) => ({ metadata: { name, labels: { n: name } }, spec: { targetSet, also: name } })],
    ['the set in a key too', (name: string, targetSet: string) => ({ metadata: { name, labels: { n: name } }, spec: { targetSet, [targetSet]: 1 } })],
  ])('a generic render with %s is used for every request', (_, generic) => {
    const render = requestRenderer(generic, 'n');
    const out = render('dev-1', 'set-1');
    expect(out).toStrictEqual(generic('dev-1', 'set-1'));
    expect(deeplyFrozen(out)).toBe(true);
  });

  test('a name or set that is not a string takes the generic path', () => {
    // As the real render does, a set that is not there leaves no key.
    const generic = (name: string, targetSet: string) => ({ metadata: { name, labels: { n: name } }, spec: targetSet === undefined ? {} : { targetSet } });
    const render = requestRenderer(generic, 'n');
    expect(render('dev-1', 'set-1')).toStrictEqual(generic('dev-1', 'set-1'));
    expect(Object.keys(render('dev-1', undefined as unknown as string).spec as object)).toEqual([]);
  });
});
