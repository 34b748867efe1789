import { fitLabelValue } from '../core/labels';
import { memoByString } from '../core/memo';
import { FLOTTA_DEFAULT_SET, MAX_SET_NAME_LENGTH, UNSAMPLED_SUFFIX } from '../core/fleet-sets';

/**
 * How a device listed in Git reaches the Flotta operator (github project-flotta/flotta-operator, tag v0.2.0):
 *
 * - The device enrols and registers through the edge API, which looks its EdgeDeviceSignedRequest up by the
 *   device's id in the operator's *initial namespace*, hard-coded `default` (`cmd/httpapi/main.go`
 *   `initialDeviceNamespace = "default"`; `internal/edgeapi/backend/k8s/backend.go` `Enrol` and
 *   `GetTargetNamespace` read `GetEdgeDeviceSignedRequest(ctx, name, b.initialNamespace)`). A request in any
 *   other namespace is never found. The device id is the yggdrasil client id: the edge API accepts a device
 *   certificate only when its CommonName equals the lower-cased id (`internal/edgeapi/yggdrasil/yggdrasil.go`
 *   `IsOwnDevice`), so the request's name must be the client id.
 * - The EdgeDeviceSignedRequest controller (`controllers/edgedevicesignedrequest_controller.go`) creates the
 *   EdgeDevice itself once the request is approved, in `spec.targetNamespace`, named like the request, with the
 *   labels `edgedeviceSignedRequest: "true"` and `flotta/member-of: <spec.targetSet>`, and no spec.
 * - Registration then only succeeds for an EdgeDevice that still carries `edgedeviceSignedRequest: "true"`
 *   (`backend.go` `GetTargetNamespace`: `!isInit && !matchesCertificate` is "forbidden"), which `Register`
 *   removes while copying the hardware labels (`device.hostname`, `device.cpu-architecture`, …,
 *   `internal/edgeapi/hardware/hardware.go` `MapLabels`). An EdgeDevice applied from Git has no such label:
 *   the device can never register. So edgewatt commits only the request, never an EdgeDevice.
 * - The request offers no labels and no device spec (`api/v1alpha1/edgedevicesignedrequests_types.go`:
 *   targetNamespace, targetSet, approved, and `features`, the hardware the device reports); the operator
 *   copies nothing else onto the EdgeDevice. A device's configuration is its set's: when the device is a
 *   member, the edge API takes heartbeat, metrics, OS, mounts, storage and log settings from the
 *   EdgeDeviceSet and ignores the device's own spec (`internal/edgeapi/backend/k8s/configuration-assembler.go`).
 *   Hence per-device settings are expressed as set membership (see {@link flottaSetOf}).
 */
export const FLOTTA_REGISTRATION_NAMESPACE = 'default';

export { FLOTTA_DEFAULT_SET, MAX_SET_NAME_LENGTH, UNSAMPLED_SUFFIX };

/**
 * The EdgeDeviceSet a listed device joins through its signed request: its own set (or the default set), or
 * that set's unsampled variant when the selection policy leaves it out.
 */
export function flottaSetOf(device: { readonly set?: string }, selected: boolean): string {
  const base = device.set ?? FLOTTA_DEFAULT_SET;
  return selected ? base : unsampledName(base);
}

/** A set's unsampled variant's name, one string per set (not one per device: the fleet chart files most of a 100,000-device fleet under these names). */
const unsampledName = memoByString((base: string) => `${base}${UNSAMPLED_SUFFIX}`);

/** How one EdgeWorkload picks its devices. */
export type WorkloadPlacement =
  | { readonly name: string; readonly device: string }
  | { readonly name: string; readonly sets: ReadonlyArray<string> };

/** The name of a per-device copy of workload `workload`: a DNS label (Flotta labels devices `workload/<name>`). */
export function perDeviceWorkloadName(workload: string, device: string): string {
  return fitLabelValue(`${workload}-${device}`);
}

/**
 * The devices of each set, gathered device by device in the devices' order (`add`): built once by the caller of
 * placeWorkload (the fleet chart, in its pass over the devices) and given to every placeWorkload, as looking members up
 * per workload by scanning every device made placement quadratic (workloads × devices; most of the 63 s that building
 * the charts of a 100,000-device stack took). Consecutive devices mostly share their set, so the last set's list is
 * kept at hand.
 */
export class SetMembers {
  /** Each set's devices, in the order added. */
  public readonly bySet = new Map<string, string[]>();
  private lastSet: string | undefined;
  private lastMembers: string[] = [];

  /** Adds `device`, a member of `set`. */
  public add(device: string, set: string): void {
    if (set !== this.lastSet) {
      this.lastSet = set;
      let list = this.bySet.get(set);
      if (list === undefined) this.bySet.set(set, (list = []));
      this.lastMembers = list;
    }
    this.lastMembers.push(device);
  }
}

/** The devices of each set of a device → set map, in its order (SetMembers). */
export function membersBySet(setOf: ReadonlyMap<string, string>): Map<string, string[]> {
  const members = new SetMembers();
  // forEach, not for-of: no [device, set] pair per device.
  setOf.forEach((s, d) => members.add(d, s));
  return members.bySet;
}

/**
 * Where a workload runs, expressed with what the operator-created EdgeDevices carry. Flotta matches
 * `spec.device` by name and `spec.deviceSelector` by EdgeDevice labels (`controllers/edgeworkload_controller.go`
 * `getMatchingEdgeDevices`); the only label edgewatt controls is `flotta/member-of`. So:
 * one device → `device`; devices that are exactly the listed members of some sets → a selector on those sets;
 * anything else → one EdgeWorkload per device, by name.
 */
export function placeWorkload(name: string, targets: ReadonlyArray<string>, setOf: ReadonlyMap<string, string>, bySet: ReadonlyMap<string, ReadonlyArray<string>>): WorkloadPlacement[] {
  if (targets.length === 1) return [{ name, device: targets[0] }];
  const sets = [...new Set(targets.map((t) => setOf.get(t)!))].sort();
  if (coversSets(targets, sets, bySet)) return [{ name, sets }];
  return [...targets].sort().map((d) => ({ name: perDeviceWorkloadName(name, d), device: d }));
}

/**
 * Whether every member of `sets` (the sets of the targets; `bySet`, the members of each set, from the same device →
 * set map) is a target. Targets in increasing order are distinct and, when each has a set, each is a member of one
 * of the sets: then exactly when the sets have as many members as there are targets (no set of the targets built per
 * workload, a thousand of them at the bench's largest tier). Otherwise each member is looked up.
 */
function coversSets(targets: ReadonlyArray<string>, sets: ReadonlyArray<string | undefined>, bySet: ReadonlyMap<string, ReadonlyArray<string>>): boolean {
  let increasing = !sets.includes(undefined);
  for (let i = 1; i < targets.length && increasing; i++) increasing = targets[i - 1] < targets[i];
  if (increasing) {
    let members = 0;
    for (const s of sets) members += bySet.get(s!)?.length ?? 0;
    return members === targets.length;
  }
  const wanted = new Set(targets);
  return sets.every((s) => (bySet.get(s!) ?? []).every((d) => wanted.has(d)));
}
