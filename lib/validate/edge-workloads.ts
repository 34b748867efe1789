import { perSegment, Segments } from './segments';
import { FLOTTA_SET_LABEL } from '../core/fleet-sets';
import { Json } from './pods';
import { Entry, Finding } from './types';

/**
 * What Flotta's device agent needs of an EdgeWorkload's pod to run it (project-flotta/flotta-device-worker tag
 * 0.2.0, `internal/workload/wrapper.go`): Run first opens the pod's host ports (applyNetworkConfiguration), and
 * getHostPorts refuses any container port without a hostPort in 1–65535 ("illegal host port number 0"), so the
 * workload never starts (the manager only records an event). And podman binds each host port once per device, so
 * two workloads of one device (or of one device set) publishing the same host port cannot both run.
 */
export function checkEdgeWorkloads(entries: ReadonlyArray<Entry>): Finding[] {
  return checkEdgeWorkloadsIn([entries]);
}

/** A published host port, with the devices or sets its workload targets. */
interface Published {
  readonly file: string;
  readonly pointer: string;
  readonly name: string;
  readonly scope: string;
  readonly hostPort: number;
  readonly devices: ReadonlyArray<string>;
  readonly sets: ReadonlyArray<string>;
}

/** A list's EdgeWorkloads: the ports without a host port, and the host ports published (kept for an unchanged folder). */
const workloadPorts = perSegment((entries): { readonly out: ReadonlyArray<Finding>; readonly published: ReadonlyArray<Published> } => {
  const out: Finding[] = [];
  const published: Published[] = [];
  for (const e of entries) {
    if (e.object.kind !== 'EdgeWorkload' || !String(e.object.apiVersion).startsWith('management.project-flotta.io/')) continue;
    const spec = (e.object as Json).spec ?? {};
    const devices: string[] = typeof spec.device === 'string' ? [spec.device] : [];
    const sets: string[] = ((spec.deviceSelector?.matchExpressions ?? []) as Json[]).flatMap((m) => (m.key === FLOTTA_SET_LABEL && m.operator === 'In' ? (m.values as string[]) : []));
    ((spec.pod?.spec?.containers ?? []) as Json[]).forEach((c, i) => {
      ((c.ports ?? []) as Json[]).forEach((p, j) => {
        const pointer = `/spec/pod/spec/containers/${i}/ports/${j}/hostPort`;
        const hostPort = p.hostPort;
        if (!Number.isInteger(hostPort) || hostPort < 1 || hostPort > 65535) {
          out.push({
            file: e.file,
            pointer,
            message:
              "is required: Flotta's device agent refuses a workload port without a host port (flotta-device-worker 0.2.0 getHostPorts, \"illegal host port number 0\"), so the workload never starts; " +
              'fix: publish it (hostPort), or leave the port out (Flotta scrapes workload metrics at the container\'s own address)',
          });
          return;
        }
        published.push({ file: e.file, pointer, name: e.object.metadata.name, scope: `${e.cluster}/${e.object.metadata.namespace ?? ''}`, hostPort, devices, sets });
      });
    });
  }
  return { out, published };
});

/**
 * A list's device sets: `<cluster>/<namespace>/<set>` → the devices the registration requests put in it (targetSet),
 * in order (kept for an unchanged folder).
 */
const setMembers = perSegment((entries): ReadonlyMap<string, ReadonlyArray<string>> => {
  const members = new Map<string, string[]>();
  for (const e of entries) {
    if (e.object.kind !== 'EdgeDeviceSignedRequest') continue;
    const spec = (e.object as Json).spec ?? {};
    const key = `${e.cluster}/${spec.targetNamespace ?? ''}/${spec.targetSet ?? ''}`;
    const list = members.get(key);
    if (list) list.push(e.object.metadata.name);
    else members.set(key, [e.object.metadata.name]);
  }
  return members;
});

/** checkEdgeWorkloads of entries given as consecutive lists (lib/validate/segments.ts). */
export function checkEdgeWorkloadsIn(segments: Segments): Finding[] {
  const found = segments.map(workloadPorts);
  const out = found.flatMap((f) => f.out);
  const published = found.flatMap((f) => f.published);
  if (published.length < 2) return out;
  // A set's devices, from the registration requests that put them in it: only when a set is targeted.
  const sets = published.some((p) => p.sets.length > 0) ? segments.map(setMembers) : [];
  const membersOf = (key: string): string[] => sets.flatMap((m) => m.get(key) ?? []);
  /** `<scope>/<device>:<hostPort>` → the workload that publishes it. */
  const taken = new Map<string, string>();
  for (const p of published) {
    const devices = [...p.devices, ...p.sets.flatMap((s) => membersOf(`${p.scope}/${s}`))];
    for (const d of new Set(devices)) {
      const key = `${p.scope}/${d}:${p.hostPort}`;
      const other = taken.get(key);
      if (other === undefined) taken.set(key, p.name);
      else if (other !== p.name) {
        out.push({ file: p.file, pointer: p.pointer, message: `host port ${p.hostPort} on device ${d} is published by workload ${other} too: podman binds it once, so one of them never starts; fix: give one of them another host port` });
        break;
      }
    }
  }
  return out;
}
