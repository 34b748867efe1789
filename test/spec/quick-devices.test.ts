/**
 * The quick device reader (lib/spec/quick-devices.ts) gives exactly what the schema gives, or nothing: compared with
 * zod's own parse of the same devices (values, key order, defaults) on generated devices, valid and not, and through
 * parseStack against the schema's parse of the whole stack.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { benchStack } from '../../bench/stacks';
import { SpecError } from '../../lib/core/errors';
import { deviceSchema } from '../../lib/spec/fleet';
import { parseStack } from '../../lib/spec/parse';
import { quickDevices, readsAs } from '../../lib/spec/quick-devices';
import { stackSchema } from '../../lib/spec/stack';
import { thrown } from '../support/thrown';

const devicesSchema = z.array(deviceSchema);

/** JSON with every object's keys in their own order, `undefined` written out: equal texts, equal values and order. */
function exact(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x === undefined ? '!undefined' : x));
}

class Box {
  constructor(public readonly name: string) {}
}

// Strings at and around what the schema's patterns accept.
const text = fc.oneof(
  fc.constantFrom('dev-1', 'a', 'set-001', 'tier', 'critical', '10.0.0.1', '::1', 'fe80::1', '256.1.1.1', '1.2.3', 'A', '-a', 'a-', 'a_b', 'a.b', '', 'example.com/tier', 'x/y/z', '__proto__', 'constructor', 'a'.repeat(63), 'a'.repeat(64)),
  fc.string({ unit: fc.constantFrom('a', 'z', '0', '9', '-', '.', '_', '/', ':', 'A', ' ', 'é'), maxLength: 10 }),
);
const value = fc.oneof({ weight: 6, arbitrary: text }, fc.integer(), fc.constant(undefined), fc.constant(null), fc.boolean(), fc.constant([]));
const labels = fc.oneof(
  { weight: 6, arbitrary: fc.dictionary(text, value, { maxKeys: 3 }) },
  fc.dictionary(text, text, { maxKeys: 3 }).map((d) => Object.assign(Object.create(null) as object, d)),
  fc.constant({ [Symbol('s')]: 'x' }),
  fc.constant(Object.defineProperty({ a: 'b' }, 'hidden', { value: 'x', enumerable: false })),
  fc.constant([]),
  fc.constant(undefined),
  fc.constant('tier=critical'),
);
const field = fc.constantFrom('name', 'set', 'address', 'labels', 'other');
const validDevice = fc.record(
  { name: fc.constantFrom('dev-1', 'dev-2', 'gw-01'), set: fc.constantFrom('set-001', 'sensors'), address: fc.constantFrom('10.0.0.1', '::1'), labels: fc.dictionary(fc.constantFrom('tier', 'set', 'example.com/zone'), fc.constantFrom('critical', 'set-001', '')) },
  { requiredKeys: ['name'] },
);
/** A valid device with one thing changed: a field's value, a key added, its labels, or one label. */
const nearlyValid = fc.tuple(validDevice, fc.nat(3), field, fc.oneof(value, labels), text, value).map(([d, how, key, v, labelKey, labelValue]): unknown => {
  if (how === 0) return { ...d, [key]: v };
  if (how === 1) return { ...d, labels: v };
  if (how === 2) return { ...d, labels: { ...d.labels, [labelKey]: labelValue } };
  return Object.fromEntries(Object.entries(d).reverse()); // the same fields in another order
});
const device = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.tuple(field, fc.oneof(value, labels)), { maxLength: 5 }).map((pairs) => Object.fromEntries(pairs)) },
  { weight: 12, arbitrary: validDevice },
  { weight: 12, arbitrary: nearlyValid },
  fc.constant(new Box('dev-1')),
  fc.constant(null),
  fc.constant(['dev-1']),
  fc.constant('dev-1'),
);

/**
 * Two devices, often equal or nearly so: any two; a valid device and a copy (its fields or labels in another order,
 * its labels copied); or a valid device and one thing of it changed.
 */
const pair = fc.oneof(
  fc.tuple(device, device),
  validDevice.chain((b) =>
    fc.tuple(
      fc.constantFrom<unknown>(
        { ...b },
        Object.fromEntries(Object.entries(b).reverse()),
        { ...b, labels: { ...b.labels } },
        { ...b, labels: Object.fromEntries(Object.entries(b.labels ?? {}).reverse()) },
        b.labels && Object.keys(b.labels).length === 0 ? { name: b.name, ...(b.set ? { set: b.set } : {}), ...(b.address ? { address: b.address } : {}) } : b,
      ),
      fc.constant<unknown>(b),
    ),
  ),
  fc.tuple(nearlyValid, validDevice),
);

describe('quick device reader: what the schema gives, or nothing', () => {
  test('generated devices: the quick reader gives the schema\'s parse exactly, and nothing where the schema fails', () => {
    let taken = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.array(device, { maxLength: 3 }), (devices) => {
        runs++;
        const reference = devicesSchema.safeParse(devices);
        const quick = quickDevices({ fleet: { devices } });
        if (quick === undefined) return;
        taken++;
        expect(reference.success).toBe(true);
        expect(exact(quick)).toBe(exact(reference.data));
        expect(quick).toStrictEqual(reference.data);
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: the quick reader took a good share of the generated lists.
    expect(taken).toBeGreaterThan(runs / 5);
  });

  test('readsAs(d, p): true exactly when the quick reader gives d as an object equal to p, key order and all', () => {
    let same = 0;
    let differ = 0;
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const before = quickDevices({ fleet: { devices: [b] } })?.[0];
        if (before === undefined) return;
        const now = quickDevices({ fleet: { devices: [a] } })?.[0];
        const expected = now !== undefined && exact(now) === exact(before);
        expect(readsAs(a, before)).toBe(expected);
        if (expected) same++;
        else differ++;
      }),
      { numRuns: 20000 },
    );
    // Not vacuous: both verdicts came up many times (the valid devices' values come from short lists).
    expect(same).toBeGreaterThan(100);
    expect(differ).toBeGreaterThan(100);
    // Each field, and the labels' order, decides alone.
    const p = quickDevices({ fleet: { devices: [{ name: 'a', set: 's', address: '10.0.0.1', labels: { x: '1', y: '2' } }] } })![0];
    expect(readsAs({ name: 'a', set: 's', address: '10.0.0.1', labels: { x: '1', y: '2' } }, p)).toBe(true);
    expect(readsAs({ labels: { x: '1', y: '2' }, address: '10.0.0.1', set: 's', name: 'a' }, p)).toBe(true);
    for (const d of [
      { name: 'b', set: 's', address: '10.0.0.1', labels: { x: '1', y: '2' } },
      { name: 'a', address: '10.0.0.1', labels: { x: '1', y: '2' } },
      { name: 'a', set: 's', labels: { x: '1', y: '2' } },
      { name: 'a', set: 's', address: '10.0.0.2', labels: { x: '1', y: '2' } },
      { name: 'a', set: 's', address: '10.0.0.1', labels: { y: '2', x: '1' } },
      { name: 'a', set: 's', address: '10.0.0.1', labels: { x: '1' } },
      { name: 'a', set: 's', address: '10.0.0.1', labels: { x: '1', y: '2', z: '3' } },
      { name: 'a', set: 's', address: '10.0.0.1', labels: { x: '1', y: '2' }, role: 'gw' },
    ]) {
      expect(readsAs(d, p)).toBe(false);
    }
    const bare = quickDevices({ fleet: { devices: [{ name: 'a' }] } })![0];
    expect(readsAs({ name: 'a', labels: {} }, bare)).toBe(true);
    expect(readsAs({ name: 'a', labels: { toString: 'x' } }, bare)).toBe(false);
    expect(readsAs({ name: 'a' }, quickDevices({ fleet: { devices: [{ name: 'a', labels: { toString: 'x' } }] } })![0])).toBe(false);
  });

  test('the bench stack: taken, and parseStack gives what the schema gives for the whole stack', () => {
    const stack = benchStack(2000);
    expect(quickDevices(stack)).toHaveLength(2000);
    const reference = stackSchema.safeParse(stack);
    expect(reference.success).toBe(true);
    expect(exact(parseStack(stack))).toBe(exact(reference.data));
  });

  test.each([
    ['a name of 64 characters', { name: 'a'.repeat(64) }],
    ['an empty set', { name: 'a', set: '' }],
    ['an address of three parts', { name: 'a', address: '1.2.3' }],
    ['a label value ending in -', { name: 'a', labels: { tier: 'a-' } }],
    ['a label key with two slashes', { name: 'a', labels: { 'x/y/z': 'b' } }],
    ['a key the schema does not have', { name: 'a', role: 'gateway' }],
    ['labels as a list', { name: 'a', labels: [] }],
  ])('%s: left to the schema, which rejects it', (_what, bad) => {
    const devices = [{ name: 'ok' }, bad];
    expect(devicesSchema.safeParse(devices).success).toBe(false);
    expect(quickDevices({ fleet: { devices } })).toBeUndefined();
    expect(quickDevices({ fleet: { devices: [{ name: 'ok' }, { name: 'a' }] } })).toHaveLength(2);
  });

  test('fields that are not enumerable count as the schema counts them; a stack or fleet with such keys is left to the schema', () => {
    const hidden = (o: object, key: string, value: unknown) => Object.defineProperty(o, key, { value, enumerable: false });
    for (const devices of [[hidden({ name: 'a' }, 'set', 'BAD')], [hidden({ name: 'a' }, 'set', 's1')], [hidden({ name: 'a' }, 'labels', { tier: 'x' })], [hidden({ name: 'a' }, 'address', 5)]]) {
      const reference = devicesSchema.safeParse(devices);
      const quick = quickDevices({ fleet: { devices } });
      if (quick !== undefined) expect(exact(quick)).toBe(exact(reference.success ? reference.data : 'rejected'));
    }
    expect(exact(quickDevices({ fleet: { devices: [hidden({ name: 'a' }, 'set', 's1')] } }))).toBe(exact([{ name: 'a', set: 's1', labels: {} }]));
    const stack = benchStack(20) as Record<string, unknown>;
    expect(quickDevices(hidden({ ...stack, fleet: { ...(stack.fleet as object) } }, 'clusters', stack.clusters))).toBeUndefined();
    expect(quickDevices({ ...stack, fleet: hidden({ ...(stack.fleet as object) }, 'namespace', 'NS') })).toBeUndefined();
  });

  test('an Object.prototype holding a field or any enumerable key: left to the schema', () => {
    const proto = Object.prototype as Record<string, unknown>;
    for (const [key, enumerable] of [['address', false], ['other', true]] as const) {
      Object.defineProperty(proto, key, { value: 'zz', enumerable, configurable: true, writable: true });
      try {
        expect(quickDevices({ fleet: { devices: [{ name: 'a' }] } })).toBeUndefined();
      } finally {
        delete proto[key];
      }
    }
    expect(quickDevices({ fleet: { devices: [{ name: 'a' }] } })).toHaveLength(1);
  });

  test('a stack with one bad device: left to the schema, whose problems name the device', () => {
    const stack = benchStack(50) as { fleet: { devices: Array<Record<string, unknown>> } };
    stack.fleet.devices[7] = { ...stack.fleet.devices[7], name: 'Dev_7' };
    expect(quickDevices(stack)).toBeUndefined();
    const e = thrown(() => parseStack(stack));
    expect(e).toBeInstanceOf(SpecError);
    expect((e as SpecError).problems.map((p) => p.path)).toEqual(['fleet.devices[7].name']);
  });

  test('a stack whose other parts fail with valid devices: the same problems as the schema alone finds', () => {
    const stack = benchStack(50) as Record<string, unknown>;
    const bad = { ...stack, name: 'Not A Name', fleet: { ...(stack.fleet as object), namespace: 'NS' } };
    expect(quickDevices(bad)).toHaveLength(50);
    const quick = thrown(() => parseStack(bad)) as SpecError;
    const reference = stackSchema.safeParse(bad);
    expect(reference.success).toBe(false);
    expect(quick.problems.map((p) => p.path).sort()).toEqual(['fleet.namespace', 'name']);
    expect(reference.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['fleet.namespace', 'name']);
  });
});
