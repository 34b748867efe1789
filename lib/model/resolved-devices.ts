import { OffSwitch } from '../core/off-switch';
import { StackSpec } from '../spec/stack';
import { DeviceModel } from './types';

/* The fleet's resolved devices, and those of the last resolve given again (resolve.ts resolveFleet). */

/** The devices the last resolveFleet resolved, by index, and the parsed devices they came from. */
let lastDevices: { readonly parsed: ReadonlyArray<object>; readonly resolved: ReadonlyArray<DeviceModel> } | undefined;

const reusingDevices = new OffSwitch();

/** Runs `f` with every device resolved anew (a reference synth: lib/synth/chart-reuse.ts withoutChartReuse). */
export function withoutDeviceReuse<T>(f: () => T): T {
  return reusingDevices.off(f);
}

/** Forgets the devices resolveFleet keeps: the next resolve makes every one anew, and their memory can go. */
export function forgetResolvedDevices(): void {
  lastDevices = undefined;
}

/**
 * Each parsed device with its path (withPath), frozen; a device that is the same frozen object at the same index as in
 * the last resolve (resolve.ts resolveFleet; lib/spec/parse.ts parseStackRecalling, and the CLI's stack reader, give unchanged devices again)
 * is given the same resolved object again: it cannot have changed, and its path is the same. At 100,000 devices that
 * is ~18 MB not made again a synth, which lived until the next one.
 */
export function resolvedDevices(parsed: NonNullable<StackSpec['fleet']>['devices']): DeviceModel[] {
  const before = reusingDevices.on ? lastDevices : undefined;
  const out = new Array<DeviceModel>(parsed.length);
  for (let i = 0; i < parsed.length; i++) {
    const d = parsed[i];
    out[i] = before !== undefined && i < before.parsed.length && before.parsed[i] === d && Object.isFrozen(d) ? before.resolved[i] : Object.freeze(withPath(d, `fleet.devices[${i}]`));
  }
  if (reusingDevices.on) lastDevices = { parsed, resolved: out };
  return out;
}

/**
 * `{ ...device, path }`, copied key by key: a spread with a key added makes each object a hidden class of its own (V8),
 * ~380 bytes a device against ~160 (100,000 resolved devices a synth at the bench's largest tier, every one of them
 * live until the next synth). The same keys in the same order: a parsed device has only enumerable string keys.
 */
function withPath<D extends object>(device: D, path: string): D & { readonly path: string } {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(device);
  for (let k = 0; k < keys.length; k++) out[keys[k]] = (device as Record<string, unknown>)[keys[k]];
  out.path = path;
  return out as D & { readonly path: string };
}
