import { ProblemList } from '../core/errors';
import { StackSpec } from '../spec/stack';
import { FLOTTA_DEFAULT_SET } from '../core/fleet-sets';
import { DevicePowerModel, DevicePowerDeclaration, DeviceSetModel, FleetModel } from './types';

type FleetSpec = NonNullable<StackSpec['fleet']>;

/**
 * Whether some device set (or the default) estimates its power with Kepler classic from the model server,
 * reached through its ingress: then the server serves devices even when no cluster runs Kepler classic.
 */
export function fleetEstimates(spec: StackSpec): boolean {
  const f = spec.fleet;
  if (!f || spec.energy?.modelServer?.exposure?.transport !== 'ingress') return false;
  return [f.defaultPower, ...f.deviceSets.map((s) => s.power)].some((p) => p?.source === 'estimated');
}

/**
 * The power source of the devices in no set: `fleet.defaultPower`, else `measured` when the stack has energy
 * and the deprecated `fleet.powerExporter` is not false (what every device ran before), else none.
 */
export function defaultPowerOf(spec: StackSpec): DevicePowerModel | undefined {
  const f = spec.fleet!;
  if (f.defaultPower) return { ...f.defaultPower, path: 'fleet.defaultPower' };
  if (!spec.energy || f.powerExporter === false) return undefined;
  return { source: 'measured', missingAfterMinutes: 15, path: 'fleet.defaultPower' };
}

/**
 * Reports the power declarations that cannot work, each with its field path and the fix: a profile without
 * its watts or with idle above max, profile watts on another source, an estimate with no way to get model
 * weights (no model server reachable from outside its cluster and no pinned URL), measured or estimated
 * power in a stack without energy.
 */
export function checkDevicePower(spec: StackSpec, problems: ProblemList): void {
  const f: FleetSpec | undefined = spec.fleet;
  if (!f) return;
  const declared: Array<[DevicePowerDeclaration, string]> = [];
  if (f.defaultPower) declared.push([f.defaultPower, 'fleet.defaultPower']);
  f.deviceSets.forEach((s, i) => {
    if (s.power) declared.push([s.power, `fleet.deviceSets[${i}].power`]);
    const allow = s.metrics.allowList;
    if (s.power?.source === 'profile' && allow && !allow.includes('node_cpu_seconds_total')) {
      problems.add(`fleet.deviceSets[${i}].metrics.allowList`, 'drops node_cpu_seconds_total, from which the profile power of the set is computed: add it to the list');
    }
  });
  const ms = spec.energy?.modelServer;
  const reachable = ms?.exposure?.transport === 'ingress';
  for (const [p, path] of declared) {
    if (p.source === 'profile') {
      if (!p.profile) problems.add(`${path}.profile`, 'is required with source profile: give the device model\'s idleWatts and maxWatts (from a wall meter or the vendor sheet)');
      else if (p.profile.idleWatts > p.profile.maxWatts) problems.add(`${path}.profile.idleWatts`, `is ${p.profile.idleWatts} W, above maxWatts (${p.profile.maxWatts} W): swap them or correct the figures`);
    } else {
      if (p.profile) problems.add(`${path}.profile`, `is only read with source profile (this set is ${p.source}): remove it, or set source: profile`);
      if (!spec.energy) problems.add(`${path}.source`, `${p.source} power needs the energy section (its recording rules and exporter versions): add energy, or use source: profile`);
    }
    if (p.source !== 'measured' && p.hwmonZones) problems.add(`${path}.hwmonZones`, `is only read with source measured (this set is ${p.source}): remove it`);
    if (p.source !== 'estimated' && p.initialModelURL) problems.add(`${path}.initialModelURL`, `is only read with source estimated (this set is ${p.source}): remove it`);
    if (p.source === 'estimated' && !p.initialModelURL && !reachable) {
      const why = !ms ? 'the stack has no energy.modelServer' : 'energy.modelServer.exposure is not an ingress (devices are not cluster members: mcs does not reach them)';
      problems.add(`${path}.initialModelURL`, `is required with source estimated when devices cannot reach the model server (${why}): set initialModelURL to a pinned https URL of node model weights, or give energy.modelServer an ingress exposure`);
    }
  }
}

const setIndex = new WeakMap<FleetModel['deviceSets'], { length: number; index: Map<string, DeviceSetModel> }>();

/**
 * The sets of a fleet by name, built once per set list: looking each device's set up by scanning the list
 * made the fleet chart quadratic (devices × sets: 100,000 × 1,000 in the bench). The first set of a name wins,
 * as with a scan. The list is read, never changed, once the model is resolved.
 */
function setsByName(sets: FleetModel['deviceSets']): Map<string, DeviceSetModel> {
  const cached = setIndex.get(sets);
  if (cached && cached.length === sets.length) return cached.index;
  const index = new Map<string, DeviceSetModel>();
  for (const s of sets) if (!index.has(s.name)) index.set(s.name, s);
  setIndex.set(sets, { length: sets.length, index });
  return index;
}

/** The power source of a listed device: its set's, or the default set's. */
export function devicePowerOf(fleet: FleetModel, device: { readonly set?: string }): DevicePowerModel | undefined {
  if (device.set === undefined) return fleet.defaultPower;
  return setsByName(fleet.deviceSets).get(device.set)?.power;
}

/**
 * Whether some listed device has a power source (its set's, or for a device in no set or an unknown one the fleet's
 * default, as setPowers groups them): then the stack records device power (lib/monitoring/device-power-rules.ts
 * devicePowerRules). Stops at the first such device. Resolve keeps the answer as `FleetModel.recordsPower`, so a chart
 * that asks reads one value, not every device.
 */
export function hasPoweredDevice(sets: ReadonlyArray<DeviceSetModel>, devices: ReadonlyArray<{ readonly set?: string }>, defaultPower: DevicePowerModel | undefined): boolean {
  const power = new Map<string, DevicePowerModel | undefined>();
  for (const s of sets) power.set(s.name, s.power); // the last set of a name, as setPowers
  return devices.some((d) => {
    const set = d.set ?? FLOTTA_DEFAULT_SET;
    return (power.has(set) ? power.get(set) : defaultPower) !== undefined;
  });
}

/** A set's power and its devices (setPowers). */
export interface SetPower {
  readonly set: string;
  readonly power?: DevicePowerModel;
  readonly devices: ReadonlyArray<string>;
}

const setPowersOf = new WeakMap<FleetModel, ReadonlyArray<SetPower>>();

/**
 * Each Flotta set name edgewatt emits for listed devices (own sets and `edgewatt-default`) with its power, sorted.
 * Computed once per fleet (read-only; a resolved model is not changed): the energy, monitoring and plan code ask
 * for it several times, each a pass over every device.
 */
export function setPowers(fleet: FleetModel): ReadonlyArray<SetPower> {
  const cached = setPowersOf.get(fleet);
  if (cached) return cached;
  const out = new Map<string, { set: string; power?: DevicePowerModel; devices: string[] }>();
  for (const s of fleet.deviceSets) out.set(s.name, { set: s.name, power: s.power, devices: [] });
  for (const d of fleet.devices) {
    const set = d.set ?? FLOTTA_DEFAULT_SET;
    if (!out.has(set)) out.set(set, { set, power: fleet.defaultPower, devices: [] });
    out.get(set)!.devices.push(d.name);
  }
  const sets = Object.freeze([...out.values()].sort((a, b) => (a.set < b.set ? -1 : 1)).map((s) => Object.freeze({ ...s, devices: Object.freeze(s.devices) })));
  setPowersOf.set(fleet, sets);
  return sets;
}

const sortedNames = new WeakMap<FleetModel, ReadonlyArray<string>>();

/** Every listed device's name, sorted (code-unit order); computed once per fleet. */
export function sortedDeviceNames(fleet: FleetModel): ReadonlyArray<string> {
  let names = sortedNames.get(fleet);
  if (!names) sortedNames.set(fleet, (names = Object.freeze(fleet.devices.map((d) => d.name).sort())));
  return names;
}
