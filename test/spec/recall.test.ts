/**
 * A synth's parse and resolve give the devices of the last synth again when they read the same
 * (lib/spec/parse.ts parseStackRecalling, lib/model/resolved-devices.ts resolvedDevices): the same objects for unchanged
 * devices, new ones for every device that changed, whatever the change, and never a problem missed.
 */
import { benchStack } from '../../bench/stacks';
import { SpecError } from '../../lib/core/errors';
import { forgetResolvedDevices, resolveModel, withoutDeviceReuse } from '../../lib/model';
import { forgetRecalledDevices, parseStack, parseStackRecalling, sealParsed, withoutRecall } from '../../lib/spec/parse';
import { StackSpec } from '../../lib/spec/stack';
import { thrown } from '../support/thrown';

type Device = Record<string, unknown> & { name: string; labels?: Record<string, string> };
type Stack = ReturnType<typeof benchStack> & { fleet: { devices: Device[] } };

const stackOf = (): Stack => benchStack(300) as Stack;
const devicesOf = (spec: StackSpec) => spec.fleet!.devices;
const exact = (v: unknown) => JSON.stringify(v);

beforeEach(() => {
  forgetRecalledDevices();
  forgetResolvedDevices();
});

describe('parseStackRecalling', () => {
  test('the same stack again: every device the same object, frozen, and the spec equal to parseStack', () => {
    const stack = stackOf();
    const first = parseStackRecalling(stack);
    const second = parseStackRecalling(stack);
    expect(devicesOf(second)).toHaveLength(300);
    devicesOf(second).forEach((d, i) => expect(d).toBe(devicesOf(first)[i]));
    expect(devicesOf(second).every((d) => Object.isFrozen(d) && Object.isFrozen(d.labels))).toBe(true);
    expect(exact(second)).toBe(exact(parseStack(stack)));
  });

  test.each<[string, (d: Device) => void]>([
    ['renamed', (d) => (d.name = `${d.name}-x`)],
    ['its set removed', (d) => delete d.set],
    ['its address changed', (d) => (d.address = '10.9.9.9')],
    ['a label added', (d) => (d.labels = { ...d.labels, zone: 'a' })],
    ['its labels in another order', (d) => (d.labels = { tier: 'critical', ...d.labels })],
    ['its labels left out', (d) => delete d.labels],
  ])('a device %s (changed in place, as a user may): a new object with the new values, the others the same', (_what, change) => {
    const stack = stackOf();
    const before = devicesOf(parseStackRecalling(stack));
    change(stack.fleet.devices[100]);
    const after = devicesOf(parseStackRecalling(stack));
    after.forEach((d, i) => (i === 100 ? expect(d).not.toBe(before[i]) : expect(d).toBe(before[i])));
    expect(exact(after[100])).toBe(exact(devicesOf(parseStack(stack))[100]));
    expect(exact(after[100])).not.toBe(exact(before[100]));
  });

  test('a device changed to a bad one, or to one holding a credential: the problem is found, and the next parse recalls nothing', () => {
    const stack = stackOf();
    parseStackRecalling(stack);
    stack.fleet.devices[7].name = 'Dev_7';
    stack.fleet.devices[8].labels = { ...stack.fleet.devices[8].labels, password: 'hunter2' };
    const e = thrown(() => parseStackRecalling(stack)) as SpecError;
    expect(e).toBeInstanceOf(SpecError);
    expect(e.problems.map((p) => p.path)).toEqual(['fleet.devices[7].name', 'fleet.devices[8].labels.password']);
    // Only the credential left: found through the quick reader too (the other devices recalled would be skipped).
    stack.fleet.devices[7].name = 'dev-00007';
    expect((thrown(() => parseStackRecalling(stack)) as SpecError).problems.map((p) => p.path)).toEqual(['fleet.devices[8].labels.password']);
    delete stack.fleet.devices[8].labels!.password;
    const fresh = devicesOf(parseStackRecalling(stack));
    const again = devicesOf(parseStackRecalling(stack));
    again.forEach((d, i) => expect(d).toBe(fresh[i]));
  });

  test('devices inserted before others: those at other indices are read again, and equal what parseStack gives', () => {
    const stack = stackOf();
    const before = devicesOf(parseStackRecalling(stack));
    stack.fleet.devices.splice(10, 0, { name: 'inserted', set: 'set-000', labels: {} });
    const after = devicesOf(parseStackRecalling(stack));
    after.slice(0, 10).forEach((d, i) => expect(d).toBe(before[i]));
    expect(exact(after)).toBe(exact(devicesOf(parseStack(stack))));
  });

  test('withoutRecall and forgetRecalledDevices: every device read anew', () => {
    const stack = stackOf();
    const first = devicesOf(parseStackRecalling(stack));
    const off = devicesOf(withoutRecall(() => parseStackRecalling(stack)));
    expect(off[0]).not.toBe(first[0]);
    // withoutRecall neither used nor replaced what was kept.
    expect(devicesOf(parseStackRecalling(stack))[0]).toBe(first[0]);
    forgetRecalledDevices();
    expect(devicesOf(parseStackRecalling(stack))[0]).not.toBe(first[0]);
  });

  test('a sealed stack is returned as it is', () => {
    const sealed = sealParsed(parseStack(stackOf()));
    expect(parseStackRecalling(sealed)).toBe(sealed);
  });
});

describe('resolved devices given again', () => {
  test('the same frozen devices at the same indices: the same resolved objects; a changed one, a new one with its path', () => {
    const stack = stackOf();
    const first = resolveModel(parseStackRecalling(stack)).fleet!.devices;
    stack.fleet.devices[5].name = 'zz-renamed';
    const second = resolveModel(parseStackRecalling(stack)).fleet!.devices;
    const byName = new Map(first.map((d) => [d.name, d]));
    for (const d of second) {
      expect(Object.isFrozen(d)).toBe(true);
      if (d.name === 'zz-renamed') {
        expect(d.path).toBe('fleet.devices[5]');
        expect(byName.has(d.name)).toBe(false);
      } else expect(d).toBe(byName.get(d.name));
    }
    expect(second[second.length - 1].name).toBe('zz-renamed'); // sorted by name
    // Unfrozen devices (parseStack's) are never taken as unchanged: the same object may have changed since.
    const spec = parseStack(stack);
    const a = resolveModel(spec).fleet!.devices;
    const b = resolveModel(spec).fleet!.devices;
    expect(b[0]).not.toBe(a[0]);
    expect(exact(b)).toBe(exact(a));
  });

  test('withoutDeviceReuse and forgetResolvedDevices: resolved anew, the same values', () => {
    const spec = parseStackRecalling(stackOf());
    const first = resolveModel(spec).fleet!.devices;
    const off = withoutDeviceReuse(() => resolveModel(spec)).fleet!.devices;
    expect(off[0]).not.toBe(first[0]);
    expect(exact(off)).toBe(exact(first));
    expect(resolveModel(spec).fleet!.devices[0]).toBe(first[0]);
    forgetResolvedDevices();
    expect(resolveModel(spec).fleet!.devices[0]).not.toBe(first[0]);
  });
});
