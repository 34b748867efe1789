import { DNS_LABEL, DNS_LABEL_MAX } from '../core/names';
import { LABEL_KEY, LABEL_VALUE } from './common';
import { DEVICE_ADDRESS, deviceSchema } from './fleet';

/**
 * A quick reader for the fleet's devices, giving exactly what the schema gives (lib/spec/fleet.ts deviceSchema) or
 * nothing. zod's object and record parsing took 0.24–0.34 s for the 100,000 devices of the bench's largest stack
 * (~2 KB allocated a device, most for its label map), every synth, where the same checks take 0.07–0.11 s.
 *
 * It accepts only the plainest case (a stack and fleet whose own keys are all enumerable strings, and an
 * Object.prototype with nothing the schema would read): every device a plain object with no keys but the schema's,
 * each value a string the schema's own pattern accepts (DNS_LABEL, DEVICE_ADDRESS, LABEL_KEY and LABEL_VALUE, which
 * the schema uses), and labels a plain object of such strings. Anything else (a wrong type, a key too many, an undefined value, a bad
 * name, a symbol key, a class instance) returns undefined, and the schema then reads the devices as before and gives
 * its own problems. What it gives is what the schema's parse gives: new objects, keys in the schema's order, labels
 * copied in their own order and `{}` when left out (test/spec/quick-devices.test.ts compares the two on generated
 * devices). It is off when the schema's device fields are not the ones it knows.
 */

/** The fields of a device, in the schema's order. */
const FIELDS = ['name', 'set', 'address', 'labels'] as const;

/** Whether the schema still has exactly these fields (a field added there turns the quick reader off). */
const enabled = Object.keys(deviceSchema.shape).join() === FIELDS.join();

/**
 * Whether objects inherit nothing the schema would read: it finds a field with `in` and unknown keys with `for … in`,
 * which see what Object.prototype holds (a polluted prototype); then the quick reader declines.
 */
function cleanPrototype(): boolean {
  for (const _ in Object.prototype) return false;
  return FIELDS.every((f) => !(f in Object.prototype));
}

/** Whether every own key of `v` is an enumerable string (so a spread of it, or Object.keys, sees all the schema reads). */
function allEnumerable(v: object): boolean {
  return Object.getOwnPropertyNames(v).length === Object.keys(v).length && Object.getOwnPropertySymbols(v).length === 0;
}

/** A device as the schema gives it. */
export interface QuickDevice {
  readonly name: string;
  readonly set?: string;
  readonly address?: string;
  readonly labels: Record<string, string>;
}

/** Whether `v` is an object whose prototype is Object.prototype or null (no array, no class instance). */
function plain(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

const isDnsLabel = (v: unknown): v is string => typeof v === 'string' && v.length <= DNS_LABEL_MAX && DNS_LABEL.test(v);

const isLabelKey = (k: string): boolean => LABEL_KEY.test(k);
const isLabelValue = (v: string): boolean => LABEL_VALUE.test(v);

/**
 * `test` remembered for the strings it accepted (sets, label keys and values repeat across devices: 1,000 distinct
 * sets and values and two keys among 100,000 devices in the bench); for one quickDevices call. A class with
 * module-level tests rather than closures made per call: optimized code that called one call's closures was thrown
 * away at the next call ("wrong call target", session 36's `--trace-opt`), and quickDevice, quickDevices and labelsOf
 * were compiled again in every synth.
 */
class Accepted {
  private readonly yes = new Set<string>();
  constructor(private readonly test: (s: string) => boolean) {}

  public has(v: unknown): v is string {
    if (typeof v !== 'string') return false;
    if (this.yes.has(v)) return true;
    if (!this.test(v)) return false;
    this.yes.add(v);
    return true;
  }
}

/** The checks of one quickDevices call. */
interface Checks {
  readonly set: Accepted;
  readonly labelKey: Accepted;
  readonly labelValue: Accepted;
}

/**
 * A label map as the schema's record reads it: its enumerable own string keys (a symbol key is an error there, so
 * it is left to the schema; a key that is not enumerable is skipped by both), copied in their order.
 */
function labelsOf(v: unknown, checks: Checks): Record<string, string> | undefined {
  if (!plain(v) || Object.getOwnPropertySymbols(v).length > 0) return undefined;
  const out: Record<string, string> = {};
  for (const key of Object.keys(v)) {
    const value = v[key];
    if (!checks.labelKey.has(key) || !checks.labelValue.has(value)) return undefined;
    out[key] = value;
  }
  return out;
}

/** A device as the schema reads it (its unknown keys are its enumerable ones, as the schema's strict object finds them). */
function quickDevice(d: unknown, checks: Checks): QuickDevice | undefined {
  if (!plain(d)) return undefined;
  // Unknown keys as the schema's strict object finds them (its enumerable ones); a field is given when it is `in` the
  // device, as the schema decides (a field that is not enumerable counts).
  for (const k of Object.keys(d)) if (k !== 'name' && k !== 'set' && k !== 'address' && k !== 'labels') return undefined;
  const set = 'set' in d;
  const address = 'address' in d;
  const labels = 'labels' in d;
  const name = d.name;
  if (!isDnsLabel(name)) return undefined;
  // The schema's order: name, set, address, labels (the keys given, and labels always).
  const out: { name: string; set?: string; address?: string; labels?: Record<string, string> } = { name };
  if (set) {
    const v = d.set;
    if (!checks.set.has(v)) return undefined;
    out.set = v;
  }
  if (address) {
    const v = d.address;
    if (typeof v !== 'string' || !DEVICE_ADDRESS.test(v)) return undefined;
    out.address = v;
  }
  const l = labels ? labelsOf(d.labels, checks) : {};
  if (l === undefined) return undefined;
  out.labels = l;
  return out as QuickDevice;
}

/**
 * Whether device `d`, as given, reads as `p` (what quickDevice gave for a device before): the same fields given, each
 * with the same value, and the same labels in the same order, so quickDevice(d) would give an object equal to `p`
 * key for key. Only under quickDevices' checks of the stack (a clean Object.prototype). No object is kept or made
 * but the key lists of the labels.
 */
export function readsAs(d: unknown, p: QuickDevice): boolean {
  if (!plain(d)) return false;
  for (const k in d) if (k !== 'name' && k !== 'set' && k !== 'address' && k !== 'labels') return false;
  if (d.name !== p.name) return false;
  if ('set' in d ? !('set' in p) || d.set !== p.set : 'set' in p) return false;
  if ('address' in d ? !('address' in p) || d.address !== p.address : 'address' in p) return false;
  const given = 'labels' in d ? d.labels : {};
  if (!plain(given) || Object.getOwnPropertySymbols(given).length > 0) return false;
  const keys = Object.keys(given);
  const before = Object.keys(p.labels);
  if (keys.length !== before.length) return false;
  for (let i = 0; i < keys.length; i++) {
    // A label's value is a string; one found only on Object.prototype (a key such as `toString`) is not.
    if (keys[i] !== before[i] || given[keys[i]] !== p.labels[before[i]]) return false;
  }
  return true;
}

/**
 * The devices of `input` (a stack as plain data) as the schema parses them, when its `fleet.devices` is a list the
 * quick reader takes whole (see above); else undefined (no fleet, no list, or anything it leaves to the schema).
 * `known(i, given)`: device i (`given`, as read from the list) as an earlier parse gave it, not read again (lib/spec/
 * parse.ts parseStackKnowing, parseStackRecalling). @default none
 */
export function quickDevices(input: unknown, known?: (i: number, given: unknown) => QuickDevice | undefined): QuickDevice[] | undefined {
  // The stack and its fleet are copied with a spread (parseStack), which sees their enumerable own keys only.
  if (!enabled || !plain(input) || !plain(input.fleet) || !allEnumerable(input) || !allEnumerable(input.fleet) || !cleanPrototype()) return undefined;
  const devices = input.fleet.devices;
  if (!Array.isArray(devices) || Object.getPrototypeOf(devices) !== Array.prototype) return undefined;
  const checks: Checks = { set: new Accepted(isDnsLabel), labelKey: new Accepted(isLabelKey), labelValue: new Accepted(isLabelValue) };
  const out: QuickDevice[] = new Array<QuickDevice>(devices.length);
  for (let i = 0; i < devices.length; i++) {
    // A hole is undefined to the schema (an error there), and undefined here.
    const given: unknown = devices[i];
    const d = known?.(i, given) ?? quickDevice(given, checks);
    if (d === undefined) return undefined;
    out[i] = d;
  }
  return out;
}
