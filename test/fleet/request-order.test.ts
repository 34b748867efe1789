import { App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { EdgeDeviceSignedRequests, forgetDeviceRequests } from '../../lib/fleet/flotta';
import { membersBySet, perDeviceWorkloadName, placeWorkload, WorkloadPlacement } from '../../lib/fleet/registration';

/**
 * EdgeDeviceSignedRequests and placeWorkload take shortcuts when device names come in increasing order (as the fleet
 * chart gives them, sorted by name): no set of names to find a name added twice, the last synth's requests found by
 * walking both lists, and a workload's sets checked by counting their members. These tests give them names in any
 * order and compare with what the plain definitions give.
 */

const SHARED = { namespace: 'default', labels: { 'app.kubernetes.io/part-of': 'edgewatt' }, nameLabel: 'edgewatt.io/device', targetNamespace: 'fleet' };

function requests(devices: ReadonlyArray<readonly [string, string]>): Array<Record<string, any>> {
  const r = new EdgeDeviceSignedRequests(new Chart(new App(), 'c'), 'requests', SHARED);
  for (const [name, set] of devices) r.addDevice(name, set);
  expect(r.size).toBe(devices.length);
  return r.toJson();
}

const name = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'dev-1', 'dev-10', 'dev-2', 'Z');
const set = fc.constantFrom('s1', 's2');
/** A fleet: distinct names, in increasing order or shuffled. */
const fleet = fc
  .tuple(fc.uniqueArray(fc.tuple(name, set), { selector: ([n]) => n, maxLength: 10 }), fc.boolean())
  .map(([devices, sorted]) => (sorted ? [...devices].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : devices));

describe('device requests whatever order the names come in (lib/fleet/flotta.ts)', () => {
  afterEach(() => forgetDeviceRequests());

  test('each synth gives what a fresh render gives, and a device with the same name and set as in the synth before gets the same object', () => {
    fc.assert(
      fc.property(fc.array(fleet, { minLength: 1, maxLength: 5 }), (rounds) => {
        forgetDeviceRequests();
        let before = new Map<string, { set: string; object: object }>();
        for (const devices of rounds) {
          const out = requests(devices);
          forgetDeviceRequests();
          const fresh = requests(devices);
          expect(JSON.stringify(out)).toBe(JSON.stringify(fresh));
          const now = new Map<string, { set: string; object: object }>();
          devices.forEach(([n, s], i) => {
            const was = before.get(n);
            if (was && was.set === s) expect(out[i]).toBe(was.object);
            else for (const w of before.values()) expect(out[i]).not.toBe(w.object);
            now.set(n, { set: s, object: out[i] });
          });
          // What this synth gave is kept for the next (the fresh render above replaced it: given back).
          forgetDeviceRequests();
          const again = requests(devices);
          expect(JSON.stringify(again)).toBe(JSON.stringify(out));
          before = new Map(devices.map(([n, s], i) => [n, { set: s, object: again[i] }]));
        }
      }),
      { numRuns: 300 },
    );
  });

  test('a device added at the front of a sorted fleet keeps every other request (the lists walked from an offset)', () => {
    const devices = Array.from({ length: 50 }, (_, i) => [`dev-${String(i + 10).padStart(3, '0')}`, 's1'] as const);
    const first = requests(devices);
    const second = requests([['dev-000', 's1'], ...devices]);
    expect(second.slice(1).every((o, i) => o === first[i])).toBe(true);
    const third = requests([...devices.slice(0, 20), ...devices.slice(21)]);
    expect(third.every((o) => first.includes(o))).toBe(true);
  });

  test.each([
    [['a', 'b', 'a']],
    [['b', 'a', 'b']],
    [['a', 'a']],
    [['c', 'b', 'a', 'c']],
  ])('a name added twice is refused (%j)', (names) => {
    const r = new EdgeDeviceSignedRequests(new Chart(new App(), 'c'), 'requests', SHARED);
    expect(() => names.forEach((n) => r.addDevice(n, 's1'))).toThrow(`There is already a registration request named "${names[names.length - 1]}"`);
  });

  test('a name given by add and again by addDevice is refused, in either order', () => {
    const props = (n: string) => ({ metadata: { name: n, namespace: 'default' }, spec: { targetNamespace: 'fleet', targetSet: 's1', approved: true } });
    const a = new EdgeDeviceSignedRequests(new Chart(new App(), 'c'), 'a', SHARED);
    a.add(props('x'));
    expect(() => a.addDevice('x', 's1')).toThrow('already a registration request named "x"');
    const b = new EdgeDeviceSignedRequests(new Chart(new App(), 'c'), 'b', SHARED);
    b.addDevice('y', 's1');
    b.addDevice('z', 's1');
    expect(() => b.add(props('y'))).toThrow('already a registration request named "y"');
  });
});

/** placeWorkload as it was defined before it counted members: every member of the targets' sets looked up. */
function reference(name: string, targets: ReadonlyArray<string>, setOf: ReadonlyMap<string, string>): WorkloadPlacement[] {
  if (targets.length === 1) return [{ name, device: targets[0] }];
  const wanted = new Set(targets);
  const sets = [...new Set(targets.map((t) => setOf.get(t)!))].sort();
  const bySet = new Map<string, string[]>();
  setOf.forEach((s, d) => bySet.set(s, [...(bySet.get(s) ?? []), d]));
  if (sets.every((s) => (bySet.get(s) ?? []).every((d) => wanted.has(d)))) return [{ name, sets }];
  return [...targets].sort().map((d) => ({ name: perDeviceWorkloadName(name, d), device: d }));
}

describe('placeWorkload counts members only where that is the same as looking them up (lib/fleet/registration.ts)', () => {
  test('the same placements as looking every member up, for targets sorted, shuffled, repeated or unknown', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(name, fc.constantFrom('s1', 's2', 's3')), { selector: ([n]) => n, maxLength: 10 }),
        fc.array(fc.oneof(name, fc.constant('unknown')), { maxLength: 12 }),
        fc.constantFrom('sorted', 'unique sorted', 'as drawn'),
        (devices, drawn, order) => {
          const setOf = new Map(devices);
          const targets = order === 'as drawn' ? drawn : order === 'sorted' ? [...drawn].sort() : [...new Set(drawn)].sort();
          expect(placeWorkload('w', targets, setOf, membersBySet(setOf))).toEqual(reference('w', targets, setOf));
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('whole sets give a selector, a set with one member more gives per-device workloads', () => {
    const setOf = new Map([
      ['a', 's1'],
      ['b', 's1'],
      ['c', 's2'],
    ]);
    expect(placeWorkload('w', ['a', 'b', 'c'], setOf, membersBySet(setOf))).toEqual([{ name: 'w', sets: ['s1', 's2'] }]);
    expect(placeWorkload('w', ['a', 'c'], setOf, membersBySet(setOf))).toEqual([
      { name: 'w-a', device: 'a' },
      { name: 'w-c', device: 'c' },
    ]);
  });
});
